import { expect, test } from 'vitest';
import { RateLimiter } from './rate-limit';

test('allows `limit` takes, then says how long to wait', () => {
	let now = 0;
	const limiter = new RateLimiter(3, 3000, () => now);
	expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].every((r) => r.ok)).toBe(true);
	const refused = limiter.take('a');
	expect(refused).toEqual({ ok: false, retryAfterMs: 1000 });
	now = 999;
	expect(limiter.take('a').ok).toBe(false);
	now = 2000;
	expect(limiter.take('a').ok).toBe(true);
});

test('keys are independent, and reset forgives one key', () => {
	const limiter = new RateLimiter(1, 1000, () => 0);
	expect(limiter.take('a').ok).toBe(true);
	expect(limiter.take('a').ok).toBe(false);
	expect(limiter.take('b').ok).toBe(true);
	limiter.reset('a');
	expect(limiter.take('a').ok).toBe(true);
});

test('peek does not spend', () => {
	const limiter = new RateLimiter(1, 1000, () => 0);
	expect(limiter.peek('a')).toBe(true);
	expect(limiter.peek('a')).toBe(true);
	expect(limiter.take('a').ok).toBe(true);
	expect(limiter.peek('a')).toBe(false);
});

test('idle buckets are pruned when the map is full', () => {
	let now = 0;
	const limiter = new RateLimiter(1, 1000, () => now, 10);
	for (let i = 0; i < 10; i++) limiter.take(`k${i}`);
	now = 5000;
	limiter.take('new');
	expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
});

test('refund gives a token back (never beyond the limit); spent says how many are out', () => {
	let now = 0;
	const limiter = new RateLimiter(4, 4000, () => now);
	expect(limiter.spent('a')).toBe(0);
	limiter.take('a');
	limiter.take('a');
	limiter.take('a');
	expect(limiter.spent('a')).toBe(3);
	limiter.refund('a');
	expect(limiter.spent('a')).toBe(2);
	now = 1000; // one token refilled
	expect(limiter.spent('a')).toBe(1);
	limiter.refund('a');
	limiter.refund('a');
	expect(limiter.spent('a')).toBe(0);
	limiter.refund('unknown');
	expect(limiter.spent('unknown')).toBe(0);
});
