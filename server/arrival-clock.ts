/**
 * Arrival times that never tie within this process. Lists ordered by `created_at` (the prompt
 * queue, the audience's sessions) are meant to be in arrival order, and two arrivals in the
 * same millisecond would otherwise tie and come back in whatever order the database likes.
 * Each reading is at least a millisecond after the one before.
 */
export class ArrivalClock {
	private last = Number.NEGATIVE_INFINITY;

	// Looked up on each reading, so fake timers in tests apply.
	constructor(private readonly now: () => number = () => Date.now()) {}

	/**
	 * The next arrival time. `after` (ms) is an arrival it must also follow, one another process
	 * stamped (read under a lock): the reading is then at least a millisecond after that too.
	 */
	next(after = Number.NEGATIVE_INFINITY): Date {
		const at = Math.max(this.now(), this.last + 1, after + 1);
		this.last = at;
		return new Date(at);
	}
}
