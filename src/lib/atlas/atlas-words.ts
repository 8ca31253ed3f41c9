import type { Modality } from '$shared/platforms/types';

/** How a period reads: 1 a fixed point, n an n-cycle, none no exact repeat at the end. */
export function periodWords(period: number | null): string {
	if (period === null) return 'no exact repeat';
	return period === 1 ? 'fixed point' : `${period}-cycle`;
}

export const MODALITY_TITLE: Record<Modality, string> = { text: 'Text', image: 'Image', audio: 'Sound' };

/** Steps as people read them: whole numbers plain, halves (a median of two) with one decimal. */
export const steps = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * The transition matrix folded for reading: the `keep` biggest attractors keep their rows and
 * columns, the rest are summed into "other", transient stays last. Shares are of each row.
 */
export function foldTransitions(
	t: { states: string[]; counts: number[][]; dwell: Array<number | null>; absorbing: string[] },
	keep: number
): { states: string[]; counts: number[][]; dwell: Array<number | null>; absorbing: Set<string> } {
	const attractors = t.states.length - 1;
	if (attractors <= keep + 1) return { states: t.states, counts: t.counts, dwell: t.dwell, absorbing: new Set(t.absorbing) };
	const bucket = (i: number) => (i === attractors ? keep + 1 : Math.min(i, keep));
	const states = [...t.states.slice(0, keep), `${attractors - keep} other`, t.states[attractors]];
	const counts = states.map(() => states.map(() => 0));
	t.counts.forEach((row, i) => row.forEach((n, j) => (counts[bucket(i)][bucket(j)] += n)));
	const dwell = [...t.dwell.slice(0, keep), null, t.dwell[attractors]];
	return { states, counts, dwell, absorbing: new Set(t.absorbing) };
}
