/**
 * Which automatic versions a network keeps (issue 17: "thin out old automatic versions").
 * Recent edits stay dense and older ones are spaced out, the way backup rotations do it:
 *
 *   age under 1 hour   every automatic version
 *   under 1 day        one per 10 minutes
 *   under 1 week       one per hour
 *   older              one per day
 *
 * then at most `cap` of those (PANIC_HISTORY_KEEP_AUTOMATIC), the newest. Within a spacing
 * slot the newest version stays. Slots are fixed stretches of the clock (10:00–10:10, …), not
 * counted from now, so thinning again later drops nothing it kept before except as versions
 * age into a sparser band. Named, run, before-restore and before-replace versions are never
 * passed here: they always stay.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SPACING: ReadonlyArray<{ youngerThan: number; every: number }> = [
	{ youngerThan: HOUR, every: 0 },
	{ youngerThan: DAY, every: 10 * MINUTE },
	{ youngerThan: 7 * DAY, every: HOUR },
	{ youngerThan: Infinity, every: DAY }
];

export interface Dated {
	id: string;
	createdAt: Date;
}

/**
 * The ids among `versions` (automatic ones of one network, in the order they were saved) that
 * thinning removes at `now`.
 */
export function automaticToDrop(versions: readonly Dated[], now: Date, cap: number): string[] {
	// Reversed first: the sort is stable, so two saved in one millisecond keep the later first.
	const newestFirst = [...versions].reverse().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
	const slots = new Set<string>();
	const kept: Dated[] = [];
	const drop: string[] = [];
	for (const v of newestFirst) {
		const at = v.createdAt.getTime();
		const band = SPACING.findIndex((s) => now.getTime() - at < s.youngerThan);
		const { every } = SPACING[band];
		const slot = every ? `${band}:${Math.floor(at / every)}` : null;
		if (slot && slots.has(slot)) drop.push(v.id);
		else {
			if (slot) slots.add(slot);
			kept.push(v);
		}
	}
	return [...drop, ...kept.slice(cap).map((v) => v.id)];
}
