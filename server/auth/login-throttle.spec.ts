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
	const refusal = async (attempt: Promise<unknown>): Promise<AppError> => {
		try {
			await attempt;
		} catch (error) {
			return error as AppError;
		}
		throw new Error('expected a refusal');
	};

	test('a client guessing one account is refused; the owner from another address gets in', async () => {
		let now = 0;
		const throttle = new LoginThrottle(LIMITS, () => now);
		for (let i = 0; i < 5; i++) await fail(throttle, 'ada@example.org', 'attacker');
		const refused = await refusal(throttle.begin('ada@example.org', 'attacker'));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/Too many wrong passwords for this account from here\. Try again in 180 seconds\./);
		expect(refused.details).toEqual({ retryAfterSeconds: 180 });
		// Not locked for the account: another client is let through (slowed a little at most).
		const owner = await throttle.begin('ada@example.org', 'owner-home');
		expect(owner.delayMs).toBe(250);
		await owner.succeeded();
		// The refusal is the attacker's alone, and ends as the bucket refills.
		now += 180_000;
		await expect(throttle.begin('ada@example.org', 'attacker')).resolves.toBeDefined();
	});

	test('the account slows down as failures come from everywhere, never beyond the cap, and is never refused', async () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		const delays: number[] = [];
		for (let i = 0; i < 40; i++) delays.push((await throttle.begin('ada@example.org', `bot-${i}`)).delayMs);
		expect(delays.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
		expect(delays.slice(5, 10)).toEqual([250, 500, 1000, 2000, 3000]);
		expect(Math.max(...delays)).toBe(3000);
		expect((await throttle.begin('ada@example.org', 'owner')).delayMs).toBe(3000);
		// Another account is not slowed by Ada's attackers.
		expect((await throttle.begin('bob@example.org', 'bot-1')).delayMs).toBe(0);
	});

	test('one client guessing many accounts is refused after the per-client count', async () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 10 }, () => 0);
		for (let i = 0; i < 10; i++) await fail(throttle, `user${i}@example.org`, 'one-client');
		const refused = await refusal(throttle.begin('user99@example.org', 'one-client'));
		expect(refused.status).toBe(429);
		expect(refused.message).toMatch(/from your network address/);
		await expect(throttle.begin('user99@example.org', 'other-client')).resolves.toBeDefined();
	});

	test('correct passwords give their tokens back: a room behind one address logs in all day', async () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 10 }, () => 0);
		for (let i = 0; i < 500; i++) await (await throttle.begin(`person${i}@example.org`, 'venue-nat')).succeeded();
		for (let i = 0; i < 9; i++) await fail(throttle, `typo${i}@example.org`, 'venue-nat');
		await expect(throttle.begin('late@example.org', 'venue-nat').then((a) => a.succeeded())).resolves.toBeUndefined();
	});

	test('the owner mistyping a few times, then typing it right, starts afresh', async () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 4; i++) await fail(throttle, 'ada@example.org', 'home');
		await (await throttle.begin('ada@example.org', 'home')).succeeded();
		for (let i = 0; i < 5; i++) await fail(throttle, 'ada@example.org', 'home');
		await expect(throttle.begin('ada@example.org', 'home')).rejects.toThrow(/Too many wrong passwords/);
	});

	test('concurrent guesses cannot slip past the count: each attempt takes its token up front', async () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		const outcomes = await Promise.all(
			Array.from({ length: 20 }, () =>
				throttle.begin('ada@example.org', 'burst').then(
					() => 'checked',
					() => 'refused'
				)
			)
		);
		expect(outcomes.filter((o) => o === 'checked')).toHaveLength(5);
	});

	test('a refusal for the pair does not use up the client’s count across accounts', async () => {
		const throttle = new LoginThrottle({ ...LIMITS, loginFailuresPerClient: 8 }, () => 0);
		for (let i = 0; i < 5; i++) await fail(throttle, 'ada@example.org', 'c');
		for (let i = 0; i < 20; i++) await expect(throttle.begin('ada@example.org', 'c')).rejects.toThrow(/for this account/);
		for (let i = 0; i < 3; i++) await expect(throttle.begin(`x${i}@example.org`, 'c')).resolves.toBeDefined();
		await expect(throttle.begin('y@example.org', 'c')).rejects.toThrow(/network address/);
	});

	test('a known device counts on its own and is not slowed: the owner behind the attacker’s address gets in', async () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 40; i++) {
			try {
				await throttle.begin('ada@example.org', i < 20 ? 'venue-nat' : `bot-${i}`);
			} catch {
				// the venue address is refused after five
			}
		}
		await expect(throttle.begin('ada@example.org', 'venue-nat')).rejects.toThrow(/Too many wrong passwords/);
		const owner = await throttle.begin('ada@example.org', 'device:abc', { knownDevice: true });
		expect(owner.delayMs).toBe(0);
		expect((await throttle.begin('ada@example.org', 'fresh-address')).delayMs).toBe(3000);
	});
});
