import { AppError } from '../errors';

/**
 * How many runs may go at once: per account and for the whole process. A run counts from
 * the moment its start is accepted until it ends, paused or not: a paused run still holds
 * its network, its feed room and the owner's keys, and resumes without asking again.
 *
 * Runs count against the network's owner, not whoever pressed start: runs spend the owner's
 * keys, and the owner chose the editors who may start them. A start that replaces the
 * active run of its slot (a network's lane: see the engine's `slotKey`) takes that run's place,
 * so it never needs a new one; each lane of an experiment running several runs at once of one
 * network counts as a run of its own.
 */
export interface RunLimits {
	/** Runs going at once on the networks of one owner. */
	perOwner: number;
	/** Runs going at once in this process. */
	total: number;
}

/** A run that holds a place: active, or with its start under way. */
export interface HeldRun {
	/** The network and lane it runs in (the engine's `slotKey`). */
	slot: string;
	ownerId: string;
}

export type RunLimit = 'runs-per-owner' | 'runs-total';

/** How long a refused start is told to wait: runs end on their own time, so this is a hint. */
export const RUN_LIMIT_RETRY_SECONDS = 30;

/** Why a run in `slot` (of a network owned by `ownerId`) may not start now, or null when it may. */
export function runLimitReached(held: Iterable<HeldRun>, slot: string, ownerId: string, limits: RunLimits): RunLimit | null {
	let total = 0;
	let owners = 0;
	for (const run of held) {
		if (run.slot === slot) continue; // the run this start replaces
		total++;
		if (run.ownerId === ownerId) owners++;
	}
	if (owners >= limits.perOwner) return 'runs-per-owner';
	if (total >= limits.total) return 'runs-total';
	return null;
}

/** The refusal for a start past a limit: 429, naming the limit and what to do. */
export function runLimitError(limit: RunLimit, limits: RunLimits): AppError {
	const message =
		limit === 'runs-per-owner'
			? `This network's owner already has ${limits.perOwner} run${limits.perOwner === 1 ? '' : 's'} going at once, the most one account may run on this server. Stop one of them (paused runs count too), then start this one.`
			: `This server is already running ${limits.total} run${limits.total === 1 ? '' : 's'} at once, as many as it takes. Try again when one has finished.`;
	return new AppError(429, message, { limit, max: limit === 'runs-per-owner' ? limits.perOwner : limits.total, retryAfterSeconds: RUN_LIMIT_RETRY_SECONDS });
}
