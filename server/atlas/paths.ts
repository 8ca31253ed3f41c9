import { TRANSIENT, type AtlasTransitions } from '../shared/atlas';
import { dot, type EndPoint } from './end-clusters';

/**
 * Where each step of a run stands: the attractor whose end states an output resembles most (at
 * the threshold or more), or transient. An output equal to an end state (same exact hash) is in
 * that end state's attractor; otherwise it is compared with every distinct end state. Outputs
 * repeat a lot in loops, so answers are remembered by exact hash.
 */
export class StateAssigner {
	private byHash = new Map<string, string | null>();
	private distinct: Array<{ point: EndPoint; attractor: string }> = [];

	constructor(
		ends: ReadonlyArray<{ point: EndPoint; attractor: string }>,
		private threshold: number
	) {
		for (const end of ends) {
			if (this.byHash.has(end.point.exactHash)) continue;
			this.byHash.set(end.point.exactHash, end.attractor);
			if (end.point.vector) this.distinct.push(end);
		}
	}

	assign(point: EndPoint): string | null {
		const known = this.byHash.get(point.exactHash);
		if (known !== undefined) return known;
		let best: string | null = null;
		let bestSimilarity = this.threshold;
		if (point.vector) {
			for (const end of this.distinct) {
				const s = dot(point.vector, end.point.vector!);
				// Strictly better only: the first (biggest) attractor wins a tie.
				if (s > bestSimilarity || (best === null && s >= bestSimilarity)) {
					best = end.attractor;
					bestSimilarity = s;
				}
			}
		}
		this.byHash.set(point.exactHash, best);
		return best;
	}
}

/**
 * The index of the first state of the run's final stay in `attractor` (states of one modality,
 * in order; the last one is the end state, so in `attractor`).
 */
export function finalStayStart(states: ReadonlyArray<string | null>, attractor: string): number {
	let i = states.length - 1;
	while (i > 0 && states[i - 1] === attractor) i--;
	return i;
}

/**
 * The transition counts between states (attractors in the given order, then transient), the
 * mean length of unbroken stays in each, and the attractors that every run entering them
 * stayed in to the end.
 */
export function transitions(attractors: readonly string[], paths: ReadonlyArray<ReadonlyArray<string | null>>): AtlasTransitions {
	const states = [...attractors, TRANSIENT];
	const index = new Map(attractors.map((id, i) => [id, i]));
	const at = (s: string | null) => (s === null ? attractors.length : index.get(s)!);
	const counts = states.map(() => states.map(() => 0));
	const stays = states.map(() => ({ total: 0, count: 0 }));
	for (const path of paths) {
		let length = 0;
		for (let i = 0; i < path.length; i++) {
			length++;
			const here = at(path[i]);
			const next = i + 1 < path.length ? at(path[i + 1]) : -1;
			if (next >= 0) counts[here][next]++;
			if (next !== here) {
				stays[here].total += length;
				stays[here].count++;
				length = 0;
			}
		}
	}
	const absorbing = attractors.filter((id) => {
		const i = at(id);
		const entered = stays[i].count > 0;
		return entered && counts[i].every((n, j) => j === i || n === 0);
	});
	return {
		states,
		counts,
		dwell: stays.map((s) => (s.count ? Math.round((s.total / s.count) * 100) / 100 : null)),
		absorbing
	};
}
