import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JoinCodes } from '../../server/audience/join-codes';
import { AUDIENCE_DEFAULTS } from '../../server/audience/settings';
import type { Db } from '../../server/db/connect';
import { randomId } from '../../server/ids';
import { Networks } from '../../server/networks/networks';
import { backends, type TestDatabase } from '../helpers/databases';
import { createUser } from './setup';

describe.each(backends())('join codes on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let userId: string;
	let clock: number;
	let codes: JoinCodes;
	const settings = { rotateSeconds: 300, codeValidSeconds: 3600 };

	async function network() {
		const id = randomId();
		await db.insertInto('networks').values({ id, owner_id: userId, name: 'n' }).execute();
		return id;
	}

	beforeAll(async () => {
		database = await open();
		db = database.db;
		userId = (await createUser(db)).id;
		clock = Date.now();
		codes = new JoinCodes(db, new Networks(db), () => clock);
	});
	afterAll(() => database?.close());

	test('current() mints once, keeps the code until it rotates, then mints the next', async () => {
		const id = await network();
		const first = await codes.current(id, userId, settings);
		expect(first.code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
		expect(first.expiresAt.getTime() - first.createdAt.getTime()).toBe(3600_000);
		expect(first.rotatesAt.getTime() - first.createdAt.getTime()).toBe(300_000);
		clock += 299_000;
		expect((await codes.current(id, userId, settings)).code).toBe(first.code);
		clock += 1000;
		const second = await codes.current(id, userId, settings);
		expect(second.code).not.toBe(first.code);
		// The rotated-out code still works until it expires: someone mid-scan still gets in.
		expect(await codes.check(first.code)).toEqual({ ok: true, code: first.code, networkId: id });
	});

	test('current() called concurrently (two projectors) does not mint twice', async () => {
		const id = await network();
		// Separate instances, so the in-process sharing is not what makes this pass.
		const results = await Promise.all(
			Array.from({ length: 6 }, (_, i) => (i % 2 ? codes : new JoinCodes(db, new Networks(db), () => clock)).current(id, userId, settings))
		);
		expect(new Set(results.map((r) => r.code)).size).toBe(1);
		const rows = await db.selectFrom('join_codes').selectAll().where('network_id', '=', id).execute();
		expect(rows).toHaveLength(1);
	});

	test('mint() always makes a new code, and current() shows the newest', async () => {
		const id = await network();
		const a = await codes.current(id, userId, settings);
		clock += 1;
		const b = await codes.mint(id, userId, settings);
		expect(b.code).not.toBe(a.code);
		expect((await codes.current(id, userId, settings)).code).toBe(b.code);
	});

	test('check() gives typed reasons: unknown, expired, revoked', async () => {
		const id = await network();
		const { code } = await codes.mint(id, userId, { ...AUDIENCE_DEFAULTS, codeValidSeconds: 600 });
		expect(await codes.check(code.toLowerCase().replace(/(.{5})/, '$1-'))).toMatchObject({ ok: true, networkId: id });
		expect(await codes.check('ZZZZZZZZZZ')).toEqual({ ok: false, reason: 'unknown' });
		expect(await codes.check('not a code')).toEqual({ ok: false, reason: 'unknown' });
		clock += 600_000;
		expect(await codes.check(code)).toEqual({ ok: false, reason: 'expired' });
		const fresh = await codes.mint(id, userId, settings);
		expect(await codes.revokeAll(id)).toBe(2);
		expect(await codes.check(fresh.code)).toEqual({ ok: false, reason: 'revoked' });
		// After an event ends, the projector gets a brand-new code.
		expect((await codes.current(id, userId, settings)).code).not.toBe(fresh.code);
	});
});
