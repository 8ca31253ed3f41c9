/**
 * A token bucket per key: `limit` tokens, refilled evenly over `windowMs`. Kept in memory
 * because one process owns the app; a restart forgives everyone, which is acceptable for
 * login throttling. Idle buckets are pruned so the map cannot grow without bound.
 */
export class RateLimiter {
	private buckets = new Map<string, { tokens: number; updated: number }>();

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly now: () => number = Date.now,
		private readonly maxKeys = 100_000
	) {}

	/** Spends one token for `key`; says how long to wait when none is left. */
	take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
		const bucket = this.refill(key);
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return { ok: true };
		}
		const msPerToken = this.windowMs / this.limit;
		return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * msPerToken) };
	}

	/** Whether `key` has a token, without spending it. */
	peek(key: string): boolean {
		return this.refill(key).tokens >= 1;
	}

	reset(key: string): void {
		this.buckets.delete(key);
	}

	/** Gives back a token taken for something that turned out fine (a correct password). */
	refund(key: string): void {
		if (!this.buckets.has(key)) return;
		const bucket = this.refill(key);
		bucket.tokens = Math.min(this.limit, bucket.tokens + 1);
	}

	/** Tokens taken and not yet refilled (0 … limit): how much `key` did lately. */
	spent(key: string): number {
		if (!this.buckets.has(key)) return 0;
		return this.limit - this.refill(key).tokens;
	}

	private refill(key: string) {
		const now = this.now();
		let bucket = this.buckets.get(key);
		if (!bucket) {
			if (this.buckets.size >= this.maxKeys) this.prune(now);
			bucket = { tokens: this.limit, updated: now };
			this.buckets.set(key, bucket);
		}
		const refill = ((now - bucket.updated) / this.windowMs) * this.limit;
		bucket.tokens = Math.min(this.limit, bucket.tokens + refill);
		bucket.updated = now;
		return bucket;
	}

	private prune(now: number) {
		for (const [key, bucket] of this.buckets) {
			if (now - bucket.updated >= this.windowMs) this.buckets.delete(key);
		}
	}
}
