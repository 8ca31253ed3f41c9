import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { AUDIENCE_LIFETIME_MS, AudienceSessions } from '../../server/audience/sessions';
import type { Db } from '../../server/db/connect';
import { AppError } from '../../server/errors';
import { backends, type TestDatabase } from '../helpers/databases';
import { boot, createUser } from './setup';

describe.each(backends())('audience sessions on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let owner: Awaited<ReturnType<typeof createUser>>;
	const booted: Array<ReturnType<typeof boot>> = [];
	const start = (options?: Parameters<typeof boot>[1]) => {
		const app = boot(db, options);
		booted.push(app);
		return app;
	};
	const status = (promise: Promise<unknown>) =>
		promise.then(
			() => 200,
			(e) => (e instanceof AppError ? { status: e.status, message: e.message } : Promise.reject(e))
		);

	beforeAll(async () => {
		database = await open();
		db = database.db;
		owner = await createUser(db);
	});
	afterEach(async () => {
		for (const app of booted.splice(0)) await app.close();
	});
	afterAll(() => database?.close());

	test('joining with a code makes a labelled session; only the token hash is stored', async () => {
		const { audience, network } = start();
		const id = await network(owner);
		const { code } = await audience.mintCode(id, owner);
		const joined = await audience.join(code);
		expect(joined.token).toMatch(/^[a-z2-7]{32}$/);
		expect(joined.session).toMatchObject({ networkId: id, label: 'guest 1', revoked: false });
		expect(joined.session.expiresAt.getTime() - Date.now()).toBeGreaterThan(AUDIENCE_LIFETIME_MS - 5000);
		expect(await database.dumpText()).not.toContain(joined.token);
		const validated = await audience.validate(joined.token!);
		expect(validated?.session).toMatchObject({ id: joined.session.id, label: 'guest 1' });
		// Joining again with the cookie keeps the same session.
		const again = await audience.join(code, joined.token!);
		expect(again.session.id).toBe(joined.session.id);
	});

	test('200 people joining at once all get in, with distinct labels', async () => {
		const { audience, network } = start();
		const id = await network(owner);
		const { code } = await audience.mintCode(id, owner);
		const joined = await Promise.all(Array.from({ length: 200 }, () => audience.join(code)));
		expect(new Set(joined.map((j) => j.session.label)).size).toBe(200);
		expect((await audience.presence(id, owner)).count).toBe(200);
	});

	test('joins are limited per code and per network, not per client', async () => {
		const { audience, network } = start({ joinsPerMinute: { perCode: 3, perNetwork: 4 } });
		const id = await network(owner);
		const a = (await audience.mintCode(id, owner)).code;
		const b = (await audience.mintCode(id, owner)).code;
		for (let i = 0; i < 3; i++) await audience.join(a);
		expect(await status(audience.join(a))).toMatchObject({ status: 429 });
		await audience.join(b); // another code still works, up to the network's limit
		expect(await status(audience.join(b))).toMatchObject({ status: 429 });
	});

	test('joins from one address to one network: a burst, then a rate; other addresses and networks are not affected', async () => {
		let clock = Date.now();
		const app = boot(db, { joinsPerAddress: { burst: 3, perMinute: 6 }, now: () => clock });
		booted.push(app);
		const { audience, network } = app;
		const id = await network(owner);
		const a = (await audience.mintCode(id, owner)).code;
		const b = (await audience.mintCode(id, owner)).code;
		for (let i = 0; i < 3; i++) await audience.join(i % 2 ? a : b, undefined, '198.51.100.7');
		// Another code of the same network does not give the address more seats.
		const refused = await status(audience.join(b, undefined, '198.51.100.7'));
		expect(refused).toEqual({ status: 429, message: 'Lots of people are joining right now. This page tries again by itself in a few seconds.' });
		expect(await status(audience.join(a, undefined, '198.51.100.8'))).toBe(200);
		const other = await network(owner);
		expect(await status(audience.join((await audience.mintCode(other, owner)).code, undefined, '198.51.100.7'))).toBe(200);
		// Six a minute after the burst: one every ten seconds.
		clock += 10_000;
		expect(await status(audience.join(a, undefined, '198.51.100.7'))).toBe(200);
		expect(await status(audience.join(a, undefined, '198.51.100.7'))).toMatchObject({ status: 429 });
	});

	test('wrong codes from one address: a few a minute, then "too many tries" for codes typed or scanned; real codes never count', async () => {
		let clock = Date.now();
		const app = boot(db, { codeGuessesPerMinute: 3, now: () => clock });
		booted.push(app);
		const { audience, network } = app;
		const id = await network(owner);
		const { code } = await audience.mintCode(id, owner);
		const guesser = '203.0.113.5';
		// The room's real code, many times from the guesser's address: no tries spent.
		for (let i = 0; i < 5; i++) expect(await audience.checkCode(code, guesser)).toMatchObject({ ok: true, networkId: id });
		for (let i = 0; i < 3; i++) expect(await audience.checkCode('ZZZZZ ZZZZZ', guesser)).toEqual({ ok: false, reason: 'unknown' });
		const refused = { status: 429, message: 'Too many tries — wait a minute, then check the code against the screen.' };
		expect(await status(audience.checkCode('ZZZZZ ZZZZY', guesser))).toEqual(refused);
		// Refused before the lookup, for the real code too (a guesser learns nothing), and for joins by link.
		expect(await status(audience.checkCode(code, guesser))).toEqual(refused);
		expect(await status(audience.join('ZZZZZZZZZX', undefined, guesser))).toEqual(refused);
		expect(await status(audience.join(code, undefined, guesser))).toEqual(refused);
		const error = await audience.checkCode('ZZZZZ ZZZZZ', guesser).then(() => null, (e: unknown) => e);
		expect(error).toBeInstanceOf(AppError);
		expect((error as AppError).details).toEqual({ retryAfterSeconds: 20, reason: 'too-many-tries' });
		// Everyone else is unaffected.
		expect(await audience.join(code, undefined, '203.0.113.6')).toMatchObject({ session: { networkId: id } });
		// Three a minute: one more try every twenty seconds.
		clock += 20_000;
		expect(await audience.join(code, undefined, guesser)).toMatchObject({ session: { networkId: id } });
		expect(await status(audience.join('ZZZZZZZZZX', undefined, guesser))).toMatchObject({ status: 404 });
		expect(await status(audience.join('ZZZZZZZZZX', undefined, guesser))).toEqual(refused);
	});

	test('joins and prompts take turns a few at a time; past the waiting limit they are refused with 503', async () => {
		const { audience, network } = start({ writes: { atOnce: 1, waiting: 3 } });
		const id = await network(owner);
		const { code } = await audience.mintCode(id, owner);
		const results = await Promise.all(Array.from({ length: 8 }, () => status(audience.join(code, undefined, '198.51.100.9'))));
		expect(results.filter((r) => r === 200)).toHaveLength(4); // one at a time, three waiting
		for (const r of results.filter((r) => r !== 200)) {
			expect(r).toEqual({ status: 503, message: 'Lots of people are sending at once. Try again in a few seconds.' });
		}
		expect(await status(audience.join(code, undefined, '198.51.100.9'))).toBe(200);
	});

	test('unknown, expired and revoked codes are refused with 404 / 410 and a clear message', async () => {
		const { audience, network } = start();
		const id = await network(owner);
		expect(await status(audience.join('ZZZZZZZZZZ'))).toMatchObject({ status: 404 });
		const { code } = await audience.mintCode(id, owner);
		await db.updateTable('join_codes').set({ expires_at: new Date(Date.now() - 1) }).where('code', '=', code).execute();
		expect(await status(audience.join(code))).toEqual({ status: 410, message: 'This code has expired — scan the screen again.' });
		const fresh = await audience.mintCode(id, owner);
		await audience.endEvent(id, owner);
		expect(await status(audience.join(fresh.code))).toMatchObject({ status: 410 });
	});

	test('a removed person is refused even when they scan again; after the event ends everyone may join the next', async () => {
		const { audience, network } = start();
		const id = await network(owner);
		const { code } = await audience.mintCode(id, owner);
		const troll = await audience.join(code);
		const guest = await audience.join(code);
		await audience.removeSession(id, owner, troll.session.id);
		expect((await audience.validate(troll.token!))?.session.revoked).toBe(true);
		expect(await status(audience.join(code, troll.token!))).toEqual({ status: 403, message: 'You were removed from this event.' });
		expect(await status(audience.removeSession(id, owner, troll.session.id))).toMatchObject({ status: 404 });

		const listed = await audience.presence(id, owner);
		expect(listed.sessions.map((s) => [s.label, s.revoked])).toEqual([
			['guest 2', false],
			['guest 1', true]
		]);

		await audience.endEvent(id, owner);
		expect(await audience.validate(guest.token!)).toBeNull();
		expect(await audience.validate(troll.token!)).toBeNull();
		const next = await audience.mintCode(id, owner);
		expect((await audience.join(next.code, troll.token!)).session.label).toBe('guest 3');
	});

	test('use slides the expiry, at most every 30 s; expired sessions are gone', async () => {
		let clock = Date.now();
		const { network, networks } = start();
		const sessions = new AudienceSessions(db, (id, work) => networks.withRowLock(id, work), () => clock);
		const id = await network(owner);
		const { token, session } = await sessions.create(id, null);
		clock += 10_000;
		expect((await sessions.validate(token))?.renewed).toBe(false);
		clock += 60_000;
		const renewed = await sessions.validate(token);
		expect(renewed?.renewed).toBe(true);
		expect(renewed!.session.expiresAt.getTime()).toBe(clock + AUDIENCE_LIFETIME_MS);
		expect(renewed!.session.expiresAt.getTime()).toBeGreaterThan(session.expiresAt.getTime());
		clock += AUDIENCE_LIFETIME_MS;
		expect(await sessions.validate(token)).toBeNull();
		expect(await sessions.validate('nonsense')).toBeNull();
	});

	test('only owners and editors see or manage the audience', async () => {
		const { audience, network, networks } = start();
		const id = await network(owner);
		const stranger = await createUser(db);
		expect(await status(audience.mintCode(id, stranger))).toMatchObject({ status: 404 });
		await networks.update(id, owner, { visibility: 'public' });
		expect(await status(audience.mintCode(id, stranger))).toMatchObject({ status: 403 });
		expect(await status(audience.presence(id, stranger))).toMatchObject({ status: 403 });
		expect(await status(audience.endEvent(id, stranger))).toMatchObject({ status: 403 });
	});
});
