import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SESSION_COOKIE } from '../../server/auth/session-token';
import { SessionStore } from '../../server/auth/sessions';
import type { Db } from '../../server/db/connect';
import { syncAuthorizer } from '../../server/networks/sync-access';
import { backends, type TestDatabase } from '../helpers/databases';
import { boot, createUser } from './setup';

/**
 * The sync upgrade's credentials (tests/access-matrix.test.ts runs the whole matrix over a
 * server): which of the cookies and `?kiosk=` it looks at, and what it says when one is stale.
 */
describe.each(backends())('credentials at the sync upgrade on $name', ({ open }) => {
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

	test('an audience cookie reads its own network’s feed room; a member’s login and a removed session', async () => {
		const app = boot(db);
		cleanup.push(() => app.close());
		const sessions = new SessionStore(db);
		const screens = new Map([['kiosktoken0000000000', { id: 'screen1', networkId: '' }]]);
		const authorize = syncAuthorizer({ sessions, audience: app.audience, kiosks: { kiosk: async (t) => screens.get(t) ?? null }, networks: app.networks });
		const owner = await createUser(db);
		const id = await app.network(owner);
		const other = await app.network(owner);
		screens.get('kiosktoken0000000000')!.networkId = id;
		const { code } = await app.audience.mintCode(id, owner);
		const { token, session } = await app.audience.join(code);
		const { token: login } = await sessions.create(owner.id);
		const req = (cookie: string, url = '/sync/x') => ({ url, headers: { cookie } }) as IncomingMessage;
		const phone = `panic_audience=${token}`;

		const principal = `audience:${session.id}`;
		expect(await authorize(req(phone), `${id}/feed`)).toEqual({ ok: true, readOnly: true, awareness: false, sessionKey: principal, principal });
		expect(await authorize(req(phone), id)).toMatchObject({ ok: false, status: 401 }); // a private graph: log in
		expect(await authorize(req(phone), `${other}/feed`)).toMatchObject({ ok: false, status: 401 });
		expect(await authorize(req('panic_audience=forged'), `${id}/feed`)).toMatchObject({ ok: false, status: 401 });
		expect(await authorize(req(phone), `${id}/chat`)).toMatchObject({ ok: false, status: 404 });
		// Logged in as well: the graph room as the owner; the feed room as the audience session it joined with.
		const both = `${SESSION_COOKIE}=${login}; ${phone}`;
		expect(await authorize(req(both), id)).toMatchObject({ ok: true, readOnly: false, awareness: true, principal: owner.id });
		expect(await authorize(req(both), `${id}/feed`)).toMatchObject({ ok: true, principal });

		// A kiosk token in the query is the only credential looked at; a stale one is not found.
		const kiosk = (t: string) => req(both, `/sync/${id}/feed?kiosk=${t}`);
		expect(await authorize(kiosk('kiosktoken0000000000'), `${id}/feed`)).toEqual({
			ok: true, readOnly: true, awareness: false, sessionKey: 'kiosk:screen1', principal: 'kiosk:screen1'
		});
		expect(await authorize(kiosk('kiosktoken0000000000'), id)).toMatchObject({ ok: false, status: 403 });
		expect(await authorize(kiosk('gone'), `${id}/feed`)).toMatchObject({ ok: false, status: 404 });

		await app.audience.removeSession(id, owner, session.id);
		expect(await authorize(req(phone), `${id}/feed`)).toEqual({ ok: false, status: 403, message: 'You were removed from this event.' });
		expect(await authorize(req(both), `${id}/feed`)).toMatchObject({ ok: true, principal: owner.id }); // the owner still reads it
	});
});
