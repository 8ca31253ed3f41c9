import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { SESSION_COOKIE } from '../../server/auth/session-token';
import { SessionStore } from '../../server/auth/sessions';
import { NetworkGraphs } from '../../server/networks/graph-service';
import { Invites } from '../../server/networks/invites';
import { Networks } from '../../server/networks/networks';
import { syncAuthorizer } from '../../server/networks/sync-access';
import { Catalogue } from '../../server/platforms/catalogue';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { backends, type TestDatabase } from '../helpers/databases';

/** The canvas lock in the domain (issue 6): who sets it, and what it does to graph writes and sync grants. */

const owner = { id: 'owner', is_admin: false };
const editor = { id: 'editor', is_admin: false };
const viewer = { id: 'viewer', is_admin: false };

const graph = {
	nodes: [
		{ id: 'a', modelId: 'dummy/echo', x: 0, y: 0 },
		{ id: 'b', modelId: 'dummy/upper', x: 100, y: 0 }
	],
	edges: [{ id: 'ab', source: 'a', target: 'b' }],
	startNodeId: 'a'
};

describe.each(backends())('the canvas lock on $name', (backend) => {
	let t: TestDatabase;
	let networks: Networks;
	let graphs: NetworkGraphs;
	let rooms: SyncRooms;
	let sessions: SessionStore;
	let id: string;

	const upgrade = async (who: { id: string }, room: string) => {
		const { token } = await sessions.create(who.id);
		const req = { headers: { cookie: `${SESSION_COOKIE}=${token}` } } as IncomingMessage;
		const nobody = { validate: async () => null };
		return syncAuthorizer({ sessions, audience: nobody, kiosks: { kiosk: async () => null }, networks })(req, room);
	};

	beforeAll(async () => {
		t = await backend.open();
		await t.db
			.insertInto('users')
			.values([owner, editor, viewer].map((u) => ({ id: u.id, email: `${u.id}@example.org`, password_hash: 'x', is_admin: u.is_admin })))
			.execute();
		rooms = new SyncRooms({ store: new KyselyUpdateStore(t.db), log: { warn() {}, error: console.error } });
		sessions = new SessionStore(t.db);
	});
	afterAll(async () => {
		await rooms.close();
		await t.close();
	});
	beforeEach(async () => {
		networks = new Networks(t.db);
		const catalogue = Catalogue.builtIn({ dummyModels: true });
		graphs = new NetworkGraphs(networks, rooms, { resolve: async (modelId) => catalogue.get(modelId) });
		const invites = new Invites(t.db, networks);
		id = (await networks.create(owner, 'Performance')).id;
		await graphs.init(id, 'Performance');
		for (const [who, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
			const { token } = await invites.create(id, owner, { role, expiresInHours: 1 });
			await invites.accept(token, who);
		}
	});

	test('a new network is unlocked; editors lock, viewers cannot; only the owner unlocks', async () => {
		expect((await networks.access(id, viewer)).network.locked).toBe(false);
		await expect(networks.update(id, viewer, { locked: true })).rejects.toMatchObject({ status: 403 });
		expect((await networks.update(id, editor, { locked: true })).locked).toBe(true);
		expect((await networks.list(viewer)).find((n) => n.id === id)?.locked).toBe(true);
		expect((await networks.update(id, editor, { locked: true })).locked).toBe(true); // already locked: fine
		await expect(networks.update(id, editor, { locked: false })).rejects.toMatchObject({
			status: 403,
			message: 'Only the owner can unlock the canvas.'
		});
		// A refused unlock changes nothing else in the same request either.
		await expect(networks.update(id, editor, { locked: false, name: 'Sneaky' })).rejects.toMatchObject({ status: 403 });
		expect((await networks.access(id, owner)).network).toMatchObject({ locked: true, name: 'Performance' });
		expect((await networks.update(id, owner, { locked: false })).locked).toBe(false);
	});

	test('while locked the graph PUT refuses editors with 423 and takes the owner', async () => {
		await networks.update(id, owner, { locked: true });
		await expect(graphs.put(id, editor, graph)).rejects.toMatchObject({
			status: 423,
			message: 'The canvas is locked for a performance; the owner can unlock it.'
		});
		await expect(graphs.put(id, viewer, graph)).rejects.toMatchObject({ status: 403 });
		expect((await graphs.get(id, editor)).nodes).toEqual([]);
		expect((await graphs.put(id, owner, graph)).nodes.map((n) => n.id)).toEqual(['a', 'b']);
		await networks.update(id, owner, { locked: false });
		expect((await graphs.put(id, editor, { ...graph, startNodeId: 'b' })).startNodeId).toBe('b');
	});

	test("sync grants: locked, editors read the graph room (still present); the owner writes; the feed is read-only", async () => {
		expect(await upgrade(editor, id)).toMatchObject({ ok: true, readOnly: false, awareness: true });
		await networks.update(id, editor, { locked: true });
		expect(await upgrade(editor, id)).toMatchObject({ ok: true, readOnly: true, awareness: true, principal: 'editor' });
		expect(await upgrade(owner, id)).toMatchObject({ ok: true, readOnly: false, awareness: true });
		expect(await upgrade(viewer, id)).toMatchObject({ ok: true, readOnly: true, awareness: false });
		for (const who of [owner, editor, viewer]) {
			expect(await upgrade(who, `${id}/feed`)).toMatchObject({ ok: true, readOnly: true, awareness: false });
		}
		await networks.update(id, owner, { locked: false });
		expect(await upgrade(editor, id)).toMatchObject({ ok: true, readOnly: false });
	});
});
