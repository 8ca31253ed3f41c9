import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { FREE_FAILURES, LoginThrottle, slowDownMs } from './login-throttle';

const LIMITS = { loginFailuresPerAccountClient: 5, loginFailuresPerClient: 50, loginWindowMs: 15 * 60_000, loginMaxDelayMs: 3000 };

describe('slowDownMs', () => {
	test('nothing for the first failures, then doubling from 250 ms, capped', () => {
		expect([0, 1, 4.9, 5, 5.5, 6, 7, 8, 9, 15, 1e6].map((n) => slowDownMs(n, 3000))).toEqual([
			0, 0, 0, 250, 250, 500, 1000, 2000, 3000, 3000, 3000
		]);
		expect(FREE_FAILURES).toBe(5);
	});
	test('a cap of 0 turns the slow-down off', () => {
		expect(slowDownMs(50, 0)).toBe(0);
	});
});

describe('LoginThrottle', () => {
	const fail = (throttle: LoginThrottle, account: string, client: string) => throttle.begin(account, client);
	const refusal = (fn: () => unknown): AppError => {
		try {
			fn();
		} catch (error) {
			return error as AppError;
		}
		throw new Error('expected a refusal');
	};

	test('a client guessing one account is refused; the owner from another address gets in', () => {
		let now = 0;
		const throttle = new LoginThrottle(LIMITS, () => now);
		for (let i = 0; i < 5; i++) fail(throttle, 'ada@example.org', 'attacker');
		const refused = refusal(() => throttle.begin('ada@example.org', 'attacker'));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/Too many wrong passwords for this account from here\. Try again in 180 seconds\./);
		expect(refused.details).toEqual({ retryAfterSeconds: 180 });
		// Not locked for the account: another client is let through (slowed a little at most).
		const owner = throttle.begin('ada@example.org', 'owner-home');
		expect(owner.delayMs).toBe(250);
		owner.succeeded();
		// The refusal is the attacker's alone, and ends as the bucket refills.
		now += 180_000;
		expect(() => throttle.begin('ada@example.org', 'attacker')).not.toThrow();
	});

	test('the account slows down as failures come from everywhere, never beyond the cap, and is never refused', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		const delays = Array.from({ length: 40 }, (_, i) => throttle.begin('ada@example.org', `bot-${i}`).delayMs);
		expect(delays.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
		expect(delays.slice(5, 10)).toEqual([250, 500, 1000, 2000, 3000]);
		expect(Math.max(...delays)).toBe(3000);
		expect(throttle.begin('ada@example.org', 'owner').delayMs).toBe(3000);
		// Another account is not slowed by Ada's attackers.
		expect(throttle.begin('bob@example.org', 'bot-1').delayMs).toBe(0);
	});

	test('one client guessing many accounts is refused after the per-client count', () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 10 }, () => 0);
		for (let i = 0; i < 10; i++) fail(throttle, `user${i}@example.org`, 'one-client');
		const refused = refusal(() => throttle.begin('user99@example.org', 'one-client'));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/from your network address/);
		expect(() => throttle.begin('user99@example.org', 'other-client')).not.toThrow();
	});

	test('correct passwords give their tokens back: a room behind one address logs in all day', () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 10 }, () => 0);
		for (let i = 0; i < 500; i++) throttle.begin(`person${i}@example.org`, 'venue-nat').succeeded();
		for (let i = 0; i < 9; i++) fail(throttle, `typo${i}@example.org`, 'venue-nat');
		expect(() => throttle.begin('late@example.org', 'venue-nat').succeeded()).not.toThrow();
	});

	test('the owner mistyping a few times, then typing it right, starts afresh', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 4; i++) fail(throttle, 'ada@example.org', 'home');
		throttle.begin('ada@example.org', 'home').succeeded();
		for (let i = 0; i < 5; i++) fail(throttle, 'ada@example.org', 'home');
		expect(() => throttle.begin('ada@example.org', 'home')).toThrow(/Too many wrong passwords/);
	});

	test('concurrent guesses cannot slip past the count: each attempt takes its token up front', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		const outcomes = Array.from({ length: 20 }, () => {
			try {
				throttle.begin('ada@example.org', 'burst');
				return 'checked';
			} catch {
				return 'refused';
			}
		});
		expect(outcomes.filter((o) => o === 'checked')).toHaveLength(5);
	});

	test('a refusal for the pair does not use up the client’s count across accounts', () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 8 }, () => 0);
		for (let i = 0; i < 5; i++) fail(throttle, 'ada@example.org', 'c');
		for (let i = 0; i < 20; i++) expect(() => throttle.begin('ada@example.org', 'c')).toThrow(/for this account/);
		for (let i = 0; i < 3; i++) expect(() => throttle.begin(`x${i}@example.org`, 'c')).not.toThrow();
		expect(() => throttle.begin('y@example.org', 'c')).toThrow(/network address/);
	});

	test('a known device counts on its own and is not slowed: the owner behind the attacker’s address gets in', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 40; i++) {
			try {
				throttle.begin('ada@example.org', i < 20 ? 'venue-nat' : `bot-${i}`);
			} catch {
				// the venue address is refused after five
			}
		}
		expect(() => throttle.begin('ada@example.org', 'venue-nat')).toThrow(/Too many wrong passwords/);
		const owner = throttle.begin('ada@example.org', 'device:abc', { knownDevice: true });
		expect(owner.delayMs).toBe(0);
		expect(throttle.begin('ada@example.org', 'fresh-address').delayMs).toBe(3000);
	});
});
