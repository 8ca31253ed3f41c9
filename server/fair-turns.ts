/**
 * Turns at something scarce, shared fairly: at most `slots` tasks run at once, and the next
 * turn goes round-robin between keys (a key with 32 tasks waiting gets one turn, then every
 * other waiting key gets one), each handover after the event loop has had a chance to take new
 * requests. The engine's steps take turns per run, audience requests per client address.
 *
 * Why it matters here: built-in models compute on the main thread, and embedded PGlite runs
 * every query there too, one after another, handing over in microtasks. Hundreds of steps or
 * requests in flight queue hundreds of queries, and a request that arrives meanwhile (even one
 * that needs no database) waits for all of them. More at once adds no throughput, only that
 * backlog; taking turns keeps the backlog to a few tasks.
 */
type Waiter = () => void;

export class FairTurns {
	private busy = 0;
	/** Waiting tasks per key, keys in turn order (a Map keeps insertion order). */
	private waiting = new Map<string, Waiter[]>();

	constructor(readonly slots: number) {
		if (!(slots >= 1)) throw new Error('FairTurns needs at least one slot.');
	}

	/** Runs `task` when `key` gets its turn; rejects with the signal's reason if aborted while waiting. */
	async run<T>(key: string, signal: AbortSignal | undefined, task: () => T | Promise<T>): Promise<T> {
		await this.turn(key, signal);
		try {
			return await task();
		} finally {
			this.release();
		}
	}

	/** Tasks waiting for a turn (for tests and diagnostics). */
	get queued(): number {
		let n = 0;
		for (const queue of this.waiting.values()) n += queue.length;
		return n;
	}

	get running(): number {
		return this.busy;
	}

	private turn(key: string, signal: AbortSignal | undefined): Promise<void> {
		signal?.throwIfAborted();
		if (this.busy < this.slots && this.waiting.size === 0) {
			this.busy++;
			return Promise.resolve();
		}
		return new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				this.forget(key, waiter);
				reject(signal!.reason);
			};
			const waiter: Waiter = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			const queue = this.waiting.get(key);
			if (queue) queue.push(waiter);
			else this.waiting.set(key, [waiter]);
		});
	}

	private release() {
		this.busy--;
		// After I/O callbacks (a waiting HTTP request) had their chance, not in this microtask.
		setImmediate(() => this.next());
	}

	private next() {
		while (this.busy < this.slots) {
			const first = this.waiting.entries().next();
			if (first.done) return;
			const [key, queue] = first.value;
			const waiter = queue.shift()!;
			// This key goes to the back of the line; others take their turns first.
			this.waiting.delete(key);
			if (queue.length) this.waiting.set(key, queue);
			this.busy++;
			waiter();
		}
	}

	private forget(key: string, waiter: Waiter) {
		const queue = this.waiting.get(key);
		if (!queue) return;
		const at = queue.indexOf(waiter);
		if (at >= 0) queue.splice(at, 1);
		if (!queue.length) this.waiting.delete(key);
	}
}
