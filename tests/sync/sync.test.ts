import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../server/ids';
import { CLOSE, decodeMessage, encodeAwareness, encodeSyncStep2, encodeUpdate } from '../../server/sync/protocol';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { backends, type TestDatabase } from '../helpers/databases';
import { Awareness } from 'y-protocols/awareness';
import {
	FaultyStore,
	Peers,
	rawClient,
	startSyncServer,
	storedDoc,
	storedRows,
	synced,
	upgradeStatus,
	waitFor,
	type SyncTestServer
} from './harness';

/**
 * The sync server end to end: a real HTTP server, the stock y-websocket client, and the
 * store on each database backend. Each test uses its own room name.
 */
describe.each(backends())('sync over y-websocket on $name', (backend) => {
	let t: TestDatabase;
	let server: SyncTestServer;
	const peers = new Peers();
	const room = () => randomId(8);

	beforeAll(async () => {
		t = await backend.open();
		server = await startSyncServer(t.db);
	});
	afterEach(() => peers.destroyAll());
	afterAll(async () => {
		await server.close();
		await t.close();
	});

	test('two editors converge, and a late joiner gets the state', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		const b = peers.connect(server, name, 'editor');
		await Promise.all([synced(a), synced(b)]);
		a.map.set('from-a', 1);
		b.map.set('from-b', 2);
		b.doc.getArray('list').push(['b']);
		a.doc.getArray('list').push(['a']);
		await waitFor(
			() => a.map.size === 2 && b.map.size === 2 && a.doc.getArray('list').length === 2 && b.doc.getArray('list').length === 2,
			'convergence'
		);
		expect(a.map.toJSON()).toEqual({ 'from-a': 1, 'from-b': 2 });
		expect(a.doc.getArray('list').toJSON()).toEqual(b.doc.getArray('list').toJSON());

		const late = peers.connect(server, name, 'editor');
		await synced(late);
		expect(late.map.toJSON()).toEqual({ 'from-a': 1, 'from-b': 2 });
		expect((await storedDoc(t.db, name)).getMap('m').toJSON()).toEqual({ 'from-a': 1, 'from-b': 2 });
	});

	test('a viewer receives changes; its own edits and a crafted update are applied nowhere', async () => {
		const name = room();
		const editor = peers.connect(server, name, 'editor');
		const viewer = peers.connect(server, name, 'viewer');
		await Promise.all([synced(editor), synced(viewer)]);
		editor.map.set('x', 1);
		await waitFor(() => viewer.map.get('x') === 1, 'viewer sees the edit');

		viewer.map.set('viewer-edit', true); // the stock client sends it; the server drops it
		const raw = await peers.raw(server, name, 'viewer');
		const forged = new Y.Doc();
		forged.getMap('m').set('x', 'forged');
		forged.getMap('m').set('forged', true);
		raw.ws.send(encodeUpdate(Y.encodeStateAsUpdate(forged)));
		raw.ws.send(encodeSyncStep2(forged, new Uint8Array([0])));
		const reply = await raw.barrier(); // the server has handled both frames by now

		const served = new Y.Doc();
		const message = decodeMessage(reply); // a step 2 reads the same in either direction
		if (message.type !== 'sync-step2') throw new Error(`expected a step 2, got ${message.type}`);
		Y.applyUpdate(served, message.update);
		expect(served.getMap('m').toJSON()).toEqual({ x: 1 });
		editor.map.set('y', 2); // a later edit proves the editor's link still works
		await waitFor(() => viewer.map.get('y') === 2, 'viewer sees the next edit');
		expect(editor.map.toJSON()).toEqual({ x: 1, y: 2 });
		expect(server.rooms.isLoaded(name)).toBe(true);
		await server.rooms.withRoom(name, (r) => expect(r.read((d) => d.getMap('m').toJSON())).toEqual({ x: 1, y: 2 }));
		expect((await storedDoc(t.db, name)).getMap('m').toJSON()).toEqual({ x: 1, y: 2 });
		expect(raw.ws.readyState).toBe(raw.ws.OPEN); // dropped silently, not disconnected
	});

	test('an editor’s presence reaches the others; a viewer’s does not', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		const b = peers.connect(server, name, 'editor');
		const v = peers.connect(server, name, 'viewer');
		await Promise.all([synced(a), synced(b), synced(v)]);
		a.provider.awareness.setLocalStateField('user', { name: 'ada' });
		v.provider.awareness.setLocalStateField('user', { name: 'watcher' });
		await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'ada', 'b sees a');
		await waitFor(() => v.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === 'ada', 'viewer sees a');

		// A raw viewer sends presence, then a barrier: by its reply the server has dropped it.
		const raw = await peers.raw(server, name, 'viewer');
		const fake = new Y.Doc();
		const fakeAwareness = new Awareness(fake);
		fakeAwareness.setLocalState({ user: { name: 'raw watcher' } });
		raw.ws.send(encodeAwareness(fakeAwareness, [fake.clientID]));
		await raw.barrier();
		fakeAwareness.destroy();
		b.provider.awareness.setLocalStateField('user', { name: 'bob' }); // a relayed message after it
		await waitFor(() => a.provider.awareness.getStates().get(b.doc.clientID)?.user?.name === 'bob', 'a sees b');
		for (const peer of [a, b]) {
			const states = peer.provider.awareness.getStates();
			expect(states.has(v.doc.clientID)).toBe(false);
			expect(states.has(fake.clientID)).toBe(false);
		}

		// An editor that vanishes without a word (no awareness goodbye): the server removes the
		// presence it introduced when its socket closes.
		const gone = await peers.raw(server, name, 'editor');
		const goneDoc = new Y.Doc();
		const goneAwareness = new Awareness(goneDoc);
		goneAwareness.setLocalState({ user: { name: 'gone soon' } });
		gone.ws.send(encodeAwareness(goneAwareness, [goneDoc.clientID]));
		goneAwareness.destroy();
		await waitFor(() => b.provider.awareness.getStates().has(goneDoc.clientID), 'b sees the raw editor');
		gone.ws.terminate();
		await waitFor(() => !b.provider.awareness.getStates().has(goneDoc.clientID), 'its presence removed');
	});

	test('refusals happen at the upgrade with an HTTP status and no socket', async () => {
		const name = room();
		const url = `${server.wsUrl}/${name}`;
		expect(await upgradeStatus(url, { origin: server.origin })).toMatchObject({ status: 401, body: 'Sign in first.\n' });
		expect((await upgradeStatus(url, { origin: server.origin, cookie: 'who=nobody' })).status).toBe(401);
		expect((await upgradeStatus(url, { origin: server.origin, cookie: 'who=stranger' })).status).toBe(403);
		expect((await upgradeStatus(url, { origin: 'http://evil.example', cookie: 'who=editor' })).status).toBe(403);
		expect((await upgradeStatus(url, { cookie: 'who=editor' })).status).toBe(403);
		expect((await upgradeStatus(`${server.wsUrl}/a.b`, { origin: server.origin, cookie: 'who=editor' })).status).toBe(404);
		expect((await upgradeStatus(`${server.wsUrl}/a/b/c`, { origin: server.origin, cookie: 'who=editor' })).status).toBe(404);
		expect((await upgradeStatus(`${server.wsUrl}/${name}/feed`, { origin: server.origin, cookie: 'who=editor' })).status).toBe(101);
		expect(server.rooms.isLoaded(name)).toBe(false); // nothing refused ever loaded the room
	});

	test('a session key may hold 32 connections; the 33rd is refused with 429 until one closes', async () => {
		const name = room();
		const headers = { key: 'k1' };
		const open = await Promise.all(Array.from({ length: 32 }, () => peers.raw(server, name, 'viewer', headers)));
		const refused = await upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: 'who=viewer; key=k1' });
		expect(refused.status).toBe(429);
		expect((await upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: 'who=viewer; key=k2' })).status).toBe(101);
		open[0].ws.close();
		await open[0].closed;
		await waitFor(async () => (await upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: 'who=viewer; key=k1' })).status === 101, 'a slot frees up');
	});

	test('a socket authorised just before its access was taken is refused as it joins, with the reason', async () => {
		const upgrade = (name: string, key: string) => upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: `who=editor; key=${key}` });
		server.store.loadDelayMs = 300; // the room is still loading when access changes
		try {
			const removed = room();
			const pending = upgrade(removed, 'gone');
			await waitFor(() => server.rooms.isLoaded(removed), 'the room loading');
			await server.rooms.disconnect([removed], { sessionKey: 'gone' }, 'You were removed from this network.');
			expect(await pending).toEqual({ status: 403, body: 'You were removed from this network.\n' });
			expect((await upgrade(removed, 'other')).status).toBe(101);

			const loggedOut = room();
			const late = upgrade(loggedOut, 'ended');
			await waitFor(() => server.rooms.isLoaded(loggedOut), 'the room loading');
			await server.rooms.disconnectEverywhere({ sessionKey: 'ended' }, 'You were logged out.', CLOSE.loggedOut);
			expect(await late).toEqual({ status: 401, body: 'You were logged out.\n' });
		} finally {
			server.store.loadDelayMs = 0;
		}
	});

	test('5,000 garbage frames: that socket is closed, others keep syncing, the store still loads', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		const b = peers.connect(server, name, 'editor');
		await Promise.all([synced(a), synced(b)]);
		a.map.set('before', 1);
		await waitFor(() => b.map.get('before') === 1, 'first edit');

		const raw = await peers.raw(server, name, 'editor');
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		for (let i = 0; i < 5000; i++) {
			const frame = new Uint8Array(2 + Math.floor(random() * 64)).map(() => Math.floor(random() * 256));
			frame[0] = i === 0 ? 0xff : frame[0]; // the first is surely garbage
			if (raw.ws.readyState !== raw.ws.OPEN) break;
			raw.ws.send(frame);
		}
		const closed = await raw.closed;
		expect([1003, 1007]).toContain(closed.code);

		a.map.set('after', 2);
		b.map.set('from-b', 3);
		await waitFor(() => b.map.get('after') === 2 && a.map.get('from-b') === 3, 'syncing after the garbage');
		const fresh = new SyncRooms({ store: new KyselyUpdateStore(t.db), log: { warn() {}, error() {} } });
		await fresh.withRoom(name, (r) => expect(r.read((d) => d.getMap('m').toJSON())).toEqual({ before: 1, after: 2, 'from-b': 3 }));
		await fresh.close();
	});

	test('a frame over 1 MiB closes the socket with 1009', async () => {
		const name = room();
		const raw = await peers.raw(server, name, 'editor');
		raw.ws.send(new Uint8Array(1024 * 1024 + 1));
		expect((await raw.closed).code).toBe(1009);
		const ok = peers.connect(server, name, 'editor');
		await synced(ok);
	});

	test('a socket flooding messages is closed with 1008', async () => {
		const name = room();
		const raw = await peers.raw(server, name, 'editor');
		const emptyAwareness = new Uint8Array([1, 1, 0]); // valid and harmless: zero clients
		for (let i = 0; i < 1000 && raw.ws.readyState === raw.ws.OPEN; i++) raw.ws.send(emptyAwareness);
		const closed = await raw.closed;
		expect(closed.code).toBe(1008);
		expect(closed.reason).toMatch(/Too many messages/);
	});

	test('keepalive: a socket that stops answering pings is dropped, a live one stays', async () => {
		// A pong must be back within one interval. At 40 ms an event-loop stall in this process
		// (server and clients share it; a loaded CI machine) dropped the live socket too.
		const quick = await startSyncServer(t.db, { limits: { pingIntervalMs: 250 } });
		try {
			const name = room();
			const silent = rawClient(`${quick.wsUrl}/${name}`, { origin: quick.origin, cookie: 'who=editor' }, { autoPong: false });
			const live = rawClient(`${quick.wsUrl}/${name}`, { origin: quick.origin, cookie: 'who=editor' });
			await Promise.all([silent.opened, live.opened]);
			const dropped = await silent.closed;
			expect(dropped.code).toBe(1006); // terminated, no close handshake
			await new Promise((r) => setTimeout(r, 750)); // three more pings
			expect(live.ws.readyState).toBe(live.ws.OPEN);
			live.ws.terminate();
		} finally {
			await quick.close();
		}
	});

	test('unload on last leave, then reload from the store gives the same doc (compacted to one row)', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		await synced(a);
		for (let i = 0; i < 20; i++) a.map.set(`k${i}`, i);
		a.doc.getText('t').insert(0, 'hello');
		await waitFor(async () => (await storedRows(t.db, name)) >= 21, 'edits stored');
		const expected = a.doc.getMap('m').toJSON();
		a.destroy();
		await waitFor(() => !server.rooms.isLoaded(name), 'room unloaded');
		await waitFor(async () => (await storedRows(t.db, name)) === 1, 'compacted on unload');

		const b = peers.connect(server, name, 'editor');
		await synced(b);
		expect(b.map.toJSON()).toEqual(expected);
		expect(b.doc.getText('t').toString()).toBe('hello');
	});

	test('compaction after N appends, while an editor keeps typing, leaves fewer rows and the same doc', async () => {
		const compacting = await startSyncServer(t.db, { compactEvery: 10 });
		try {
			const name = room();
			const a = peers.connect(compacting, name, 'editor');
			await synced(a);
			for (let i = 0; i < 35; i++) {
				a.map.set(`k${i}`, i);
				if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5)); // several batches
			}
			a.doc.getText('t').insert(0, 'compacted');
			await waitFor(async () => (await storedDoc(t.db, name)).getMap('m').size === 35, 'all edits stored');
			await waitFor(async () => (await storedDoc(t.db, name)).getText('t').toString() === 'compacted', 'text stored');
			// Compaction runs after the appends that trigger it, so give it a moment to land.
			await waitFor(async () => (await storedRows(t.db, name)) <= 11, 'compaction');
			expect(compacting.log.lines.join('\n')).not.toMatch(/compaction failed/);
			expect((await storedDoc(t.db, name)).getMap('m').toJSON()).toEqual(a.map.toJSON());
		} finally {
			await compacting.close();
		}
	});

	test('server writes (withRoom + change) reach connected readers of a feed room and are stored', async () => {
		const name = `${room()}/feed`;
		const watcher = peers.connect(server, name, 'viewer');
		await synced(watcher);
		await server.rooms.withRoom(name, (r) => r.change((doc) => doc.getArray('cards').push([{ id: 'c1', kind: 'text', text: 'hi' }]), 'engine'));
		await waitFor(() => watcher.doc.getArray('cards').length === 1, 'card arrives');
		expect((await storedDoc(t.db, name)).getArray('cards').toJSON()).toEqual([{ id: 'c1', kind: 'text', text: 'hi' }]);
	});

	test('a failed append closes the room (1011) instead of diverging; the edit is re-sent and saved on reconnect', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		const b = peers.connect(server, name, 'editor');
		await Promise.all([synced(a), synced(b)]);
		a.map.set('saved', 1);
		await waitFor(() => b.map.get('saved') === 1, 'first edit');

		server.store.failAppends = true;
		a.map.set('unsaved', 1);
		await waitFor(() => a.closes.includes(1011) && b.closes.includes(1011), 'both closed with 1011');
		expect(b.map.get('unsaved')).toBeUndefined(); // b never saw what was not saved
		expect((await storedDoc(t.db, name)).getMap('m').get('unsaved')).toBeUndefined();

		server.store.failAppends = false; // the database is back
		await waitFor(() => b.map.get('unsaved') === 1, 'b gets the edit after reconnecting', 10_000);
		expect((await storedDoc(t.db, name)).getMap('m').toJSON()).toEqual({ saved: 1, unsaved: 1 });
		expect(server.log.lines.join('\n')).toMatch(/could not save an update/);
	});

	test('evicting a deleted network’s rooms closes with 4410 and the stock client stops reconnecting', async () => {
		const name = room();
		const a = peers.connect(server, name, 'editor');
		await synced(a);
		a.map.set('x', 1);
		await waitFor(async () => (await storedRows(t.db, name)) === 1, 'edit stored');
		let final: { code: number } | null = null;
		a.provider.on('closed', (event) => (final = event));
		await server.rooms.evict([name, `${name}/feed`]);
		await waitFor(() => final !== null, 'provider gives up');
		expect(final).toMatchObject({ code: 4410 });
		expect(a.provider.shouldConnect).toBe(false);
		const refused = await upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: 'who=editor' });
		expect(refused.status).toBe(503); // the real authorize answers 404 first once the network is gone
	});

	test('a room that cannot load is refused with 503 at the upgrade', async () => {
		const name = room();
		server.store.failLoads = true;
		try {
			const refused = await upgradeStatus(`${server.wsUrl}/${name}`, { origin: server.origin, cookie: 'who=editor' });
			expect(refused.status).toBe(503);
		} finally {
			server.store.failLoads = false;
		}
		const a = peers.connect(server, name, 'editor');
		await synced(a);
	});
});

describe.each(backends())('shutdown on $name', (backend) => {
	let t: TestDatabase;
	const peers = new Peers();
	beforeAll(async () => {
		t = await backend.open();
	});
	afterAll(() => t.close());

	const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

	test('close() flushes edits made just before shutdown, closes sockets with 1001 and leaves no timers', async () => {
		const baseline = timeouts();
		const store = new FaultyStore(new KyselyUpdateStore(t.db));
		const server = await startSyncServer(t.db, { store });
		const name = room();
		const a = peers.connect(server, name, 'editor');
		const v = peers.connect(server, `${name}/feed`, 'viewer');
		await Promise.all([synced(a), synced(v)]);
		const lease = await server.rooms.acquire(name);
		store.appendDelayMs = 30; // appends are still in the queue when close() starts
		for (let i = 0; i < 10; i++) a.map.set(`k${i}`, i);
		await waitFor(() => lease.room.doc.getMap('m').size === 10, 'edits reached the server');
		expect(await storedRows(t.db, name)).toBeLessThan(10);
		await server.close();
		await lease.release();
		expect(a.closes).toContain(1001);
		expect(v.closes).toContain(1001);
		peers.destroyAll();

		const fresh = new SyncRooms({ store: new KyselyUpdateStore(t.db) });
		const stored = await fresh.withRoom(name, (r) => r.read((d) => d.getMap('m').toJSON()));
		await fresh.close();
		expect(Object.keys(stored)).toHaveLength(10);
		expect(await storedRows(t.db, name)).toBe(1);
		await waitFor(() => timeouts() <= baseline, 'timers gone', 3000);
	});

	function room() {
		return randomId(8);
	}
});

describe.each(backends())('refused updates over y-websocket on $name', (backend) => {
	let t: TestDatabase;
	let server: SyncTestServer;
	const peers = new Peers();

	beforeAll(async () => {
		t = await backend.open();
		server = await startSyncServer(t.db, {
			limits: { refusedCooldownMs: 300 },
			// Refuses any change under the key `forbidden` (graph rooms use GraphWriteRule).
			writeRule: () => ({
				reset() {},
				check: (_doc, changed) => ([...changed.values()].some((keys) => keys.has('forbidden')) ? 'No forbidden keys here.' : null)
			})
		});
	});
	afterEach(() => peers.destroyAll());
	afterAll(async () => {
		await server.close();
		await t.close();
	});

	test('closed with 4422 and the reason, nothing stored; that session may reconnect only after a cooldown', async () => {
		const name = randomId(8);
		const a = peers.connect(server, name, 'editor', { key: 'k1' });
		const b = peers.connect(server, name, 'editor', { key: 'k2' });
		await Promise.all([synced(a), synced(b)]);
		let reason = '';
		a.provider.on('connection-close', (event: { reason: string } | null) => (reason ||= event?.reason ?? ''));
		a.map.set('fine', 1);
		a.map.set('forbidden', 1);
		await waitFor(() => a.closes.includes(4422), 'the refusal');
		expect(reason).toBe('No forbidden keys here.');
		expect(a.provider.shouldConnect).toBe(false); // final for the stock client

		const url = `${server.wsUrl}/${name}`;
		const again = await upgradeStatus(url, { origin: server.origin, cookie: 'who=editor; key=k1' });
		expect(again).toEqual({ status: 429, body: 'An edit from this session was just refused; reload the page in a few seconds.\n' });
		expect((await upgradeStatus(url, { origin: server.origin, cookie: 'who=editor; key=k3' })).status).toBe(101);
		await waitFor(async () => (await upgradeStatus(url, { origin: server.origin, cookie: 'who=editor; key=k1' })).status === 101, 'the cooldown to pass');

		b.map.set('after', 2);
		await waitFor(async () => (await storedDoc(t.db, name)).getMap('m').has('after'), 'the next edit stored');
		expect((await storedDoc(t.db, name)).getMap('m').toJSON()).toEqual({ fine: 1, after: 2 });
		expect(b.map.has('forbidden')).toBe(false);
	});
});
