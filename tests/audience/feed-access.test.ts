import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { withAudienceFeed } from '../../server/audience/feed-access';
import type { Db } from '../../server/db/connect';
import type { AuthorizeResult } from '../../server/sync/upgrade';
import { backends, type TestDatabase } from '../helpers/databases';
import { boot, createUser } from './setup';

describe.each(backends())('audience at the sync upgrade on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	const cleanup: Array<() => Promise<void>> = [];
	beforeAll(async () => {
		database = await open();
		db = database.db;
	});
	afterEach(async () => {
		for (const fn of cleanup.splice(0)) await fn();
	});
	afterAll(() => database?.close());

	test('an audience cookie reads its own network’s feed room, read-only, and nothing else', async () => {
		const app = boot(db);
		cleanup.push(() => app.close());
		const owner = await createUser(db);
		const id = await app.network(owner);
		const other = await app.network(owner);
		const { code } = await app.audience.mintCode(id, owner);
		const { token, session } = await app.audience.join(code);
		const refused: AuthorizeResult = { ok: false, status: 401, message: 'Log in to join this network.' };
		const memberGrant = { ok: true, readOnly: false, awareness: true, sessionKey: 'm', principal: owner.id } as const;
		const authorize = withAudienceFeed(async (req) => (req.headers.cookie?.includes('panic_session=ok') ? memberGrant : refused), app.audience);
		const req = (cookie: string) => ({ headers: { cookie } }) as IncomingMessage;

		const principal = `audience:${session.id}`;
		expect(await authorize(req(`panic_audience=${token}`), `${id}/feed`)).toEqual({ ok: true, readOnly: true, awareness: false, sessionKey: principal, principal });
		expect(await authorize(req(`panic_audience=${token}`), id)).toEqual(refused); // the graph: no
		expect(await authorize(req(`panic_audience=${token}`), `${other}/feed`)).toEqual(refused); // another network: no
		expect(await authorize(req('panic_audience=forged'), `${id}/feed`)).toEqual(refused);
		// A member session wins over an audience cookie.
		expect(await authorize(req(`panic_session=ok; panic_audience=${token}`), `${id}/feed`)).toEqual(memberGrant);

		await app.audience.removeSession(id, owner, session.id);
		expect(await authorize(req(`panic_audience=${token}`), `${id}/feed`)).toEqual({ ok: false, status: 403, message: 'You were removed from this event.' });
	});
});
