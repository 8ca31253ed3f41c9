import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Accounts } from '../../server/auth/accounts';
import { UNUSABLE_PASSWORD_HASH } from '../../server/auth/password';
import { SESSION_LIFETIME_MS, SessionStore } from '../../server/auth/sessions';
import { sessionIdFromToken } from '../../server/auth/session-token';
import { configFromEnv } from '../../server/config';
import { AppError } from '../../server/errors';
import { backends, type TestDatabase } from '../helpers/databases';

const DAY = 86_400_000;

describe.each(backends())('accounts and sessions on $name', (backend) => {
	let t: TestDatabase;
	let now: number;
	let sessions: SessionStore;
	let accounts: Accounts;
	let slept: number[];

	beforeAll(async () => {
		t = await backend.open();
	});
	afterAll(() => t.close());
	beforeEach(async () => {
		await t.db.deleteFrom('users').execute();
		await t.db.deleteFrom('settings').execute();
		now = Date.UTC(2026, 0, 1);
		sessions = new SessionStore(t.db, () => now);
		slept = [];
		accounts = new Accounts(t.db, sessions, configFromEnv({}), { now: () => now, sleep: async (ms) => void slept.push(ms) });
	});

	const creds = (email = 'ada@example.org', password = 'correct horse battery') => ({ email, password });

	test('the first account becomes admin, later ones do not', async () => {
		const first = await accounts.signup(creds('first@example.org'), 'c');
		const second = await accounts.signup(creds('second@example.org'), 'c');
		expect(first.user.is_admin).toBe(true);
		expect(second.user.is_admin).toBe(false);
	});

	test('an account nobody logs into (the experiments CLI one) neither takes the admin seat nor logs in', async () => {
		await t.db.insertInto('users').values({ id: 'exp', email: 'experiments@panic.invalid', password_hash: UNUSABLE_PASSWORD_HASH, created_at: new Date(now) }).execute();
		const first = await accounts.signup(creds('first@example.org'), 'c');
		expect(first.user.is_admin).toBe(true);
		for (const password of ['', UNUSABLE_PASSWORD_HASH, 'correct horse battery']) {
			await expect(accounts.login({ email: 'experiments@panic.invalid', password }, 'c')).rejects.toMatchObject({ message: 'Wrong email or password.' });
		}
	});

	test('a duplicate email is refused with 409 and leaves the first account intact', async () => {
		await accounts.signup(creds(), 'c');
		await expect(accounts.signup(creds('ada@example.org', 'another password'), 'c')).rejects.toMatchObject({
			status: 409,
			message: expect.stringContaining('already exists')
		});
		const rows = await t.db.selectFrom('users').selectAll().execute();
		expect(rows).toHaveLength(1);
		await expect(accounts.login(creds(), 'client')).resolves.toBeTruthy();
	});

	test('passwords are stored as argon2id hashes, never as given', async () => {
		await accounts.signup(creds(), 'c');
		const row = await t.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
		expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(await t.dumpText()).not.toContain('correct horse battery');
	});

	test('a wrong password and an unknown email fail alike', async () => {
		await accounts.signup(creds(), 'c');
		const wrong = await accounts.login(creds('ada@example.org', 'wrong password'), 'c').catch((e) => e);
		const unknown = await accounts.login(creds('nobody@example.org'), 'c').catch((e) => e);
		expect(wrong).toBeInstanceOf(AppError);
		expect(wrong.message).toBe('Wrong email or password.');
		expect(unknown.message).toBe(wrong.message);
	});

	test('email is matched case-insensitively', async () => {
		await accounts.signup({ email: 'ada@example.org', password: 'correct horse battery' }, 'c');
		await expect(accounts.login(creds(' ADA@Example.org '), 'c')).resolves.toBeTruthy();
	});

	test('only the SHA-256 of the session token is stored', async () => {
		const { token } = await accounts.signup(creds(), 'c');
		expect(token).toMatch(/^[a-z2-7]{32}$/); // 160 bits in base32
		const stored = await t.db.selectFrom('sessions').select('id').execute();
		expect(stored.map((s) => s.id)).toEqual([sessionIdFromToken(token)]);
		expect(await t.dumpText()).not.toContain(token);
	});

	test('an expired session is rejected and deleted', async () => {
		const { token } = await accounts.signup(creds(), 'c');
		now += SESSION_LIFETIME_MS + 1;
		expect(await sessions.validate(token)).toBeNull();
		expect(await t.db.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
	});

	test('a session used late in its life slides forward; an early one does not', async () => {
		const { token, expiresAt } = await accounts.signup(creds(), 'c');
		now += DAY;
		const early = await sessions.validate(token);
		expect(early?.renewed).toBe(false);
		expect(early?.session.expiresAt.getTime()).toBe(expiresAt.getTime());
		now += 20 * DAY;
		const late = await sessions.validate(token);
		expect(late?.renewed).toBe(true);
		expect(late?.session.expiresAt.getTime()).toBe(now + SESSION_LIFETIME_MS);
	});

	test('invalidating a session kills it server-side', async () => {
		const { token } = await accounts.signup(creds(), 'c');
		const found = await sessions.validate(token);
		await sessions.invalidate(found!.session.id);
		expect(await sessions.validate(token)).toBeNull();
	});

	test('wrong passwords from one client cannot lock the owner out: another client gets in at once', async () => {
		await accounts.signup(creds(), 'c');
		for (let i = 0; i < 5; i++) {
			await expect(accounts.login(creds('ada@example.org', 'nope nope'), 'attacker')).rejects.toMatchObject({ status: 400 });
		}
		const blocked = await accounts.login(creds(), 'attacker').catch((e) => e);
		expect(blocked.status).toBe(429);
		expect((blocked.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
		// The owner, from an address that has not been failing: in, slowed by a quarter second at most.
		await expect(accounts.login(creds(), 'owner')).resolves.toBeTruthy();
		expect(Math.max(0, ...slept)).toBeLessThanOrEqual(250);
		// The attacker's bucket refills over time.
		now += 15 * 60_000;
		await expect(accounts.login(creds(), 'attacker')).resolves.toBeTruthy();
	});

	test('behind the attacker’s own address, the owner’s browser gets in by its device cookie', async () => {
		const { deviceToken } = await accounts.signup(creds(), 'venue-nat');
		for (let i = 0; i < 5; i++) {
			await expect(accounts.login(creds('ada@example.org', 'nope nope'), 'venue-nat')).rejects.toMatchObject({ status: 400 });
		}
		await expect(accounts.login(creds(), 'venue-nat')).rejects.toMatchObject({ status: 429 });
		const again = await accounts.login(creds(), 'venue-nat', deviceToken);
		expect(again.user.email).toBe('ada@example.org');
		expect(slept).toEqual([]); // a known device is never slowed down
		// A device cookie of another account, or a forged one, is just an address again.
		const bob = await accounts.signup(creds('bob@example.org'), 'c');
		await expect(accounts.login(creds(), 'venue-nat', bob.deviceToken)).rejects.toMatchObject({ status: 429 });
		await expect(accounts.login(creds(), 'venue-nat', `${'a'.repeat(22)}.${'b'.repeat(43)}`)).rejects.toMatchObject({ status: 429 });
	});

	test('guessing spread over many addresses slows the account down, capped at a few seconds, never refused', async () => {
		await accounts.signup(creds(), 'c');
		for (let i = 0; i < 30; i++) {
			await expect(accounts.login(creds('ada@example.org', 'nope nope'), `bot-${i}`)).rejects.toMatchObject({ status: 400 });
		}
		expect(Math.max(...slept)).toBe(3000);
		slept = [];
		await expect(accounts.login(creds(), 'owner')).resolves.toBeTruthy();
		expect(slept).toEqual([3000]);
	});

	test('login is throttled per client across many accounts', async () => {
		for (let i = 0; i < 50; i++) {
			await expect(accounts.login(creds(`user${i}@example.org`), 'one-client')).rejects.toMatchObject({ status: 400 });
		}
		await expect(accounts.login(creds('user99@example.org'), 'one-client')).rejects.toMatchObject({ status: 429 });
		await expect(accounts.login(creds('user99@example.org'), 'other-client')).rejects.toMatchObject({ status: 400 });
	});

	test('sign-up is limited per client address, generously: 30 accounts in 10 minutes, then 429 until it refills', async () => {
		for (let i = 0; i < 30; i++) await accounts.signup(creds(`p${i}@example.org`), 'workshop-nat');
		const refused = await accounts.signup(creds('p30@example.org'), 'workshop-nat').catch((e) => e);
		expect(refused).toMatchObject({ status: 429, message: expect.stringMatching(/from your network address.*Try again in \d+ seconds/) });
		expect(await t.db.selectFrom('users').select('id').where('email', '=', 'p30@example.org').executeTakeFirst()).toBeUndefined();
		await expect(accounts.signup(creds('elsewhere@example.org'), 'other-address')).resolves.toBeTruthy();
		now += 20_000; // 10 min / 30 = one sign-up every 20 s
		await expect(accounts.signup(creds('p30@example.org'), 'workshop-nat')).resolves.toBeTruthy();
	});

	test('an admin can close sign-up; a non-admin cannot', async () => {
		const admin = await accounts.signup(creds('admin@example.org'), 'c');
		const member = await accounts.signup(creds('member@example.org'), 'c');
		await expect(accounts.setSignupOpen(member.user, false)).rejects.toMatchObject({ status: 403 });
		await accounts.setSignupOpen(admin.user, false);
		expect(await accounts.isSignupOpen()).toBe(false);
		await expect(accounts.signup(creds('late@example.org'), 'c')).rejects.toMatchObject({ status: 403 });
		await accounts.setSignupOpen(admin.user, true);
		await expect(accounts.signup(creds('late@example.org'), 'c')).resolves.toBeTruthy();
	});
});
