import { AppError } from '../errors';

/**
 * At most `limit` tasks at once; the rest wait their turn, in order, up to `maxWaiting`, and
 * beyond that are refused with a 503. Password hashing goes through one: argon2 runs on
 * libuv's threads, and four hashes at once on a two-core machine starve the event loop that
 * answers everyone else.
 */
export class ConcurrencyGate {
	private active = 0;
	private waiting: Array<() => void> = [];

	constructor(
		private readonly limit: number,
		private readonly maxWaiting: number,
		private readonly busyMessage: string
	) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.active < this.limit) this.active++;
		else if (this.waiting.length >= this.maxWaiting) throw new AppError(503, this.busyMessage, { retryAfterSeconds: 5 });
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		try {
			return await task();
		} finally {
			// Hand the slot straight to the next in line, or give it back.
			const next = this.waiting.shift();
			if (next) next();
			else this.active--;
		}
	}
}
