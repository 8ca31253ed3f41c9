import { RateLimiter } from '../auth/rate-limit';
import { AppError } from '../errors';

/**
 * Counters that limit strangers and members (log-in failures, sign-ups, joins, wrong codes,
 * prompts), behind one interface with two implementations: in memory for the single process
 * (exactly today's token buckets) and in Redis for a cluster (counters-redis.ts), so a limit
 * holds however a load balancer spreads one client's requests over the processes.
 *
 * Every call is asynchronous because the Redis one is; the in-memory one answers at once.
 */
export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

/** A token bucket per key: `limit` tokens, refilled evenly over `windowMs` (see RateLimiter). */
export interface RateLimit {
	/** Spends one token for `key`; says how long to wait when none is left. */
	take(key: string): Promise<Taken>;
	/** Whether `key` has a token, without spending it. */
	peek(key: string): Promise<boolean>;
	/** Gives back a token taken for something that turned out fine. */
	refund(key: string): Promise<void>;
	reset(key: string): Promise<void>;
	/** Tokens taken and not yet refilled (0 … limit). */
	spent(key: string): Promise<number>;
}

/**
 * Makes the rate limits. `name` says what is counted (keys of different limits never meet);
 * the same name with another limit or window is another limit (a network whose prompt rate
 * changed starts afresh, as it did in memory).
 */
export interface RateLimits {
	rateLimit(name: string, limit: number, windowMs: number): RateLimit;
}

/** The single process: one in-memory RateLimiter per (name, limit, window), as before. */
export class MemoryRateLimits implements RateLimits {
	private limiters = new Map<string, RateLimit>();

	constructor(private readonly now: () => number = Date.now) {}

	rateLimit(name: string, limit: number, windowMs: number): RateLimit {
		const id = `${name}\n${limit}\n${windowMs}`;
		let limiter = this.limiters.get(id);
		if (!limiter) {
			const buckets = new RateLimiter(limit, windowMs, this.now);
			limiter = {
				take: async (key) => buckets.take(key),
				peek: async (key) => buckets.peek(key),
				refund: async (key) => buckets.refund(key),
				reset: async (key) => buckets.reset(key),
				spent: async (key) => buckets.spent(key)
			};
			this.limiters.set(id, limiter);
		}
		return limiter;
	}
}

/**
 * What a public limit answers while Redis cannot be reached: 503 with Retry-After. Limits fail
 * closed in a cluster. A process cut off from Redis is cut off from the rooms' replication and
 * the run leases too, so it cannot serve properly anyway; letting log-ins, joins and code
 * guesses through uncounted instead would hand a guesser unlimited tries whenever Redis
 * hiccups. Everything refused this way is a request the client simply repeats a moment later.
 */
export const LIMITS_UNAVAILABLE_MESSAGE = 'PANIC cannot check its limits right now. Try again in a few seconds.';
export const LIMITS_UNAVAILABLE_RETRY_SECONDS = 5;

export function limitsUnavailable(): AppError {
	return new AppError(503, LIMITS_UNAVAILABLE_MESSAGE, { retryAfterSeconds: LIMITS_UNAVAILABLE_RETRY_SECONDS, limit: 'unavailable' });
}

/** Redis did not answer within the deadline (or failed). */
export class CounterTimeout extends Error {
	constructor(what: string) {
		super(`Redis did not answer ${what} in time`);
		this.name = 'CounterTimeout';
	}
}

/**
 * `work`, or a CounterTimeout after `ms`. The cluster's Redis connection queues commands while
 * it reconnects rather than failing them, so without a deadline a Redis outage would hang
 * every request that counts something. `late` is called with the result if it arrives after
 * the deadline (e.g. to give back a connection slot nobody will release).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		let settled = false;
		const timer = setTimeout(() => {
			settled = true;
			reject(new CounterTimeout(what));
		}, ms);
		timer.unref?.();
		work.then(
			(value) => {
				if (settled) return late?.(value);
				settled = true;
				clearTimeout(timer);
				resolve(value);
			},
			(error) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				reject(error);
			}
		);
	});
}
