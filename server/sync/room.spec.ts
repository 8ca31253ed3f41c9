import { afterEach, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol';
import { RoomClosedError, SyncRoom, type LoadOptions, type SessionOptions, type SyncLog } from './room';
import { MemoryUpdateStore } from './store';
import { ControlledStore, FakeClient, FakeSocket, awarenessFrame, storedDoc } from './testing';
import type { WriteRule } from './update-gate';

const ROOM = 'net1';
const editor = { readOnly: false, awareness: true };
const viewer = { readOnly: true, awareness: false };
const flushMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

function recordingLog(): SyncLog & { lines: string[] } {
	const lines: string[] = [];
	return { lines, warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
	ControlledStore.releaseAll();
	for (const fn of cleanup.reverse()) await fn();
	cleanup = [];
});

async function setup(store: MemoryUpdateStore = new ControlledStore(), options: LoadOptions = {}) {
	const log = recordingLog();
	const room = await SyncRoom.load(ROOM, store, { log, ...options });
	cleanup.push(() => room.unload());
	const client = (opts: SessionOptions = editor) => {
		const c = new FakeClient(room, opts);
		cleanup.push(() => c.destroy());
		return c;
	};
	return { room, store, log, client };
}

describe('durability before fan-out', () => {
	test('an update is appended before any other session sees it, and the sender is not echoed', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		const b = client();
		a.pump();
		b.pump();
		store.hold();
		a.set('x', 1);
		expect(room.read((doc) => doc.getMap('m').get('x'))).toBe(1); // applied at once
		await flushMicrotasks();
		expect(b.pump()).toEqual([]); // but not shown to anyone until durable
		expect(store.rowCount(ROOM)).toBe(0);
		store.open();
		await room.flush();
		expect(store.rowCount(ROOM)).toBe(1);
		expect(b.pump()).toEqual(['update']);
		expect(b.get('x')).toBe(1);
		expect(a.pump()).toEqual([]);
	});

	test('a step 1 is answered with the whole state, once what it contains is durable', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		a.set('x', 1);
		await room.flush();
		store.hold();
		a.set('y', 2);
		const late = client();
		late.pump();
		late.sendStep1();
		await flushMicrotasks();
		expect(late.pump()).toEqual([]);
		store.open();
		await room.flush();
		late.pump();
		expect([late.get('x'), late.get('y')]).toEqual([1, 2]);
	});

	test('a writer is asked for its state on join (step 1); a read-only session is not', async () => {
		const { client } = await setup();
		expect(client(editor).pump()).toEqual(['step1']);
		expect(client(viewer).pump()).toEqual([]);
	});

	test('updates from several writers are stored in the order they were applied', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const [a, b] = [client(), client()];
		store.hold();
		for (let i = 0; i < 20; i++) (i % 2 ? a : b).set(`k${i}`, i);
		store.open();
		await room.flush();
		expect(store.log).toEqual(Array.from({ length: 20 }, (_, i) => `append ${i + 1}`));
		a.pump();
		b.pump();
		const stored = await storedDoc(store, ROOM);
		for (const doc of [a.doc, b.doc, stored]) expect(doc.getMap('m').toJSON()).toEqual(room.read((d) => d.getMap('m').toJSON()));
	});

	test('each append names whose changes it holds (the history records who edited); server writes name whom they were told', async () => {
		class AuthorsStore extends ControlledStore {
			authors: string[][] = [];
			override async append(room: string, update: Uint8Array, authors: readonly string[] = []) {
				this.authors.push([...authors].sort());
				return super.append(room, update);
			}
		}
		for (const coalesceWrites of [false, true]) {
			const store = new AuthorsStore();
			const { room, client } = await setup(store, { coalesceWrites });
			const [ada, bo] = [client({ ...editor, principal: 'ada' }), client({ ...editor, principal: 'bo' })];
			ada.set('x', 1);
			await room.flush();
			await room.change((doc) => doc.getMap('m').set('y', 2));
			await room.change((doc) => doc.getMap('m').set('u', 6), 'api', ['cy']);
			// Held back: a replicated room stores both people's changes as one row naming both.
			store.hold();
			ada.set('z', 3);
			bo.set('w', 4);
			ada.set('v', 5);
			store.open();
			await room.flush();
			expect(store.authors).toEqual(coalesceWrites ? [['ada'], [], ['cy'], ['ada', 'bo']] : [['ada'], [], ['cy'], ['ada'], ['bo'], ['ada']]);
		}
	});
});

describe('read-only sessions', () => {
	test('receive changes, but their updates and step 2 are dropped: not applied, stored or relayed', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		const v = client(viewer);
		a.set('x', 1);
		await room.flush();
		expect(v.pump()).toEqual(['update']);
		expect(v.get('x')).toBe(1);

		const forged = new Y.Doc();
		forged.getMap('m').set('x', 'forged');
		room.receive(v.session, encodeUpdate(Y.encodeStateAsUpdate(forged)));
		room.receive(v.session, encodeSyncStep2(forged, new Uint8Array([0])));
		v.set('mine', true);
		await room.flush();
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({ x: 1 });
		expect(store.rowCount(ROOM)).toBe(1);
		a.pump();
		expect(a.doc.getMap('m').toJSON()).toEqual({ x: 1 });
		expect(v.socket.closed).toBeNull(); // dropping is silent; the stock client always sends step 2
	});

	test('may still ask for the state with step 1', async () => {
		const { room, client } = await setup();
		client().set('x', 1);
		await room.flush();
		const v = client(viewer);
		v.sendStep1();
		await room.flush();
		v.pump();
		expect(v.get('x')).toBe(1);
	});
});

describe('awareness', () => {
	test('an editor’s presence reaches the others (not itself) and is removed when it leaves', async () => {
		const { room, client } = await setup();
		const a = client();
		const b = client();
		const v = client(viewer);
		a.pump();
		a.setPresence({ name: 'ada' });
		expect(b.pump()).toContain('awareness');
		expect(b.awareness.getStates().get(a.doc.clientID)).toEqual({ name: 'ada' });
		v.pump();
		expect(v.awareness.getStates().get(a.doc.clientID)).toEqual({ name: 'ada' }); // watchers see it
		expect(a.pump()).toEqual([]);

		const late = client();
		late.pump();
		expect(late.awareness.getStates().get(a.doc.clientID)).toEqual({ name: 'ada' }); // on join

		a.leave();
		expect(room.awareness.getStates().has(a.doc.clientID)).toBe(false);
		b.pump();
		expect(b.awareness.getStates().has(a.doc.clientID)).toBe(false);
	});

	test('a session without awareness is neither applied nor relayed', async () => {
		const { room, client } = await setup();
		const b = client();
		const v = client(viewer);
		b.pump();
		v.setPresence({ name: 'watcher' });
		expect(room.awareness.getStates().has(v.doc.clientID)).toBe(false);
		expect(b.pump()).toEqual([]);
	});

	const stateOf = (c: FakeClient, id: number) => c.awareness.getStates().get(id);

	test('nobody else can overwrite or remove a session’s presence; its owner still can', async () => {
		const { room, client } = await setup();
		const a = client();
		const mallory = client();
		const c = client();
		a.setPresence({ name: 'ada' });
		const id = a.doc.clientID;
		const clock = room.awareness.meta.get(id)!.clock;
		c.pump();
		room.receive(mallory.session, awarenessFrame([{ clientId: id, clock: clock + 1, state: '{"name":"mallory"}' }]));
		room.receive(mallory.session, awarenessFrame([{ clientId: id, clock: clock + 2, state: 'null' }]));
		room.receive(mallory.session, awarenessFrame([{ clientId: id, clock, state: 'null' }]));
		expect(room.awareness.getStates().get(id)).toEqual({ name: 'ada' });
		expect(c.pump()).toEqual([]);
		expect(mallory.socket.closed).toBeNull(); // dropped quietly: the stock client echoes others' states too
		a.setPresence({ name: 'ada', cursor: { x: 1, y: 2 } });
		c.pump();
		expect(stateOf(c, id)).toEqual({ name: 'ada', cursor: { x: 1, y: 2 } });
		a.setPresence(null);
		c.pump();
		expect(c.awareness.getStates().has(id)).toBe(false);
	});

	test('the stock client’s echo of someone else’s state is not applied or relayed', async () => {
		const { room, client } = await setup();
		const a = client();
		const b = client();
		const c = client();
		a.setPresence({ name: 'ada' });
		b.pump();
		c.pump();
		room.receive(b.session, encodeAwareness(b.awareness, [a.doc.clientID]));
		expect(c.pump()).toEqual([]);
	});

	test('a state over the size cap closes its session (4422), unrelayed; the editor’s real state fits', async () => {
		const { room, client } = await setup(undefined, { presence: { maxStateBytes: 4096, maxClientsPerSession: 4 } });
		const a = client();
		const c = client();
		const editorState = {
			user: { name: 'someone.with.a.long.address@example.org', color: 'hsl(217 85% 65%)' },
			cursor: { x: -123456, y: 654321 },
			selection: Array.from({ length: 20 }, (_, i) => `n_${i.toString(16).padStart(32, '0')}`)
		};
		a.setPresence(editorState);
		c.pump();
		expect(stateOf(c, a.doc.clientID)).toEqual(editorState);
		const m = client();
		m.setPresence({ blob: 'x'.repeat(900 * 1024) });
		expect(m.socket.closed).toEqual({ code: 4422, reason: 'A presence state is over 4096 bytes.' });
		expect(c.pump()).toEqual([]);
		expect(room.awareness.getStates().has(m.doc.clientID)).toBe(false);
		expect(room.awareness.getStates().get(a.doc.clientID)).toEqual(editorState);
	});

	test('a session may introduce only so many client ids', async () => {
		const { room, client } = await setup(undefined, { presence: { maxStateBytes: 4096, maxClientsPerSession: 2 } });
		const m = client();
		room.receive(m.session, awarenessFrame([1, 2, 3].map((clientId) => ({ clientId, clock: 1, state: '{"n":1}' }))));
		expect([...room.awareness.getStates().keys()].sort()).toEqual([1, 2]);
		m.leave();
		expect(room.awareness.getStates().size).toBe(0);
	});

	test('a tab that reconnects before its old socket is gone takes its id over with its next change (same person only)', async () => {
		const { room, client } = await setup();
		const old = client({ ...editor, principal: 'u1' });
		const other = client({ ...editor, principal: 'u2' });
		const fresh = client({ ...editor, principal: 'u1' });
		room.receive(old.session, awarenessFrame([{ clientId: 7, clock: 1, state: '{"who":"old"}' }]));
		room.receive(other.session, awarenessFrame([{ clientId: 7, clock: 2, state: '{"who":"u2"}' }]));
		room.receive(fresh.session, awarenessFrame([{ clientId: 7, clock: 1, state: '{"who":"old"}' }])); // an echo
		expect(room.awareness.getStates().get(7)).toEqual({ who: 'old' });
		room.receive(fresh.session, awarenessFrame([{ clientId: 7, clock: 2, state: '{"who":"fresh"}' }]));
		expect(room.awareness.getStates().get(7)).toEqual({ who: 'fresh' });
		old.leave(); // the old socket finally times out: the id is no longer its to remove
		expect(room.awareness.getStates().get(7)).toEqual({ who: 'fresh' });
	});

	test('query awareness answers with everyone present', async () => {
		const { room, client } = await setup();
		const a = client();
		a.setPresence({ name: 'ada' });
		const b = client(viewer);
		b.pump();
		b.awareness.states.delete(a.doc.clientID);
		b.awareness.meta.delete(a.doc.clientID);
		room.receive(b.session, new Uint8Array([3]));
		expect(b.pump()).toEqual(['awareness']);
		expect(b.awareness.getStates().get(a.doc.clientID)).toEqual({ name: 'ada' });
	});
});

describe('a write rule judges client updates before they reach the doc', () => {
	/** Refuses any change under the key `forbidden`. */
	const rule: WriteRule = {
		reset() {},
		check: (_doc, changed) => ([...changed.values()].some((keys) => keys.has('forbidden')) ? 'No forbidden keys here.' : null)
	};

	test('a refused update closes its session with 4422 and the reason; nothing is applied, stored or shown', async () => {
		const store = new ControlledStore();
		const { room, client, log } = await setup(store, { writeRule: rule });
		const a = client();
		const b = client();
		b.pump();
		a.set('ok', 1);
		a.set('forbidden', 1);
		await room.flush();
		expect(a.socket.closed).toEqual({ code: 4422, reason: 'No forbidden keys here.' });
		expect(log.lines.join('\n')).toMatch(/closing session .*4422.*No forbidden keys here/);
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({ ok: 1 });
		expect(store.rowCount(ROOM)).toBe(1);
		b.pump();
		expect(b.doc.getMap('m').toJSON()).toEqual({ ok: 1 });
		// Everyone else carries on.
		b.set('after', 2);
		await room.flush();
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({ ok: 1, after: 2 });
		expect(b.socket.closed).toBeNull();
	});

	test('server writes and accepted updates keep the judge in step; a writer’s step 2 on reconnect is accepted', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store, { writeRule: rule });
		await room.change((doc) => doc.getMap('m').set('server', 1));
		const a = client();
		a.pump();
		a.set('x', 1);
		a.leave();
		a.set('offline', 1); // made while disconnected
		const again = new FakeClient(room, editor);
		cleanup.push(() => again.destroy());
		Y.applyUpdate(again.doc, Y.encodeStateAsUpdate(a.doc));
		again.pump(); // the server's step 1; reply as the stock client does:
		room.receive(again.session, encodeSyncStep2(again.doc, Y.encodeStateVector(room.doc)));
		await room.flush();
		expect(again.socket.closed).toBeNull();
		expect((await storedDoc(store, ROOM)).getMap('m').toJSON()).toEqual({ server: 1, x: 1, offline: 1 });
	});

	test('a rule that throws refuses the update instead of letting it through unjudged', async () => {
		const store = new ControlledStore();
		const broken: WriteRule = {
			reset() {},
			check() {
				throw new Error('bug');
			}
		};
		const { room, client } = await setup(store, { writeRule: broken });
		const a = client();
		a.set('x', 1);
		await room.flush();
		expect(a.socket.closed).toEqual({ code: 4422, reason: 'The update could not be checked (bug).' });
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({});
		expect(store.rowCount(ROOM)).toBe(0);
	});

	test('an update whose dependencies have not arrived is neither applied nor stored until they do', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store, { writeRule: rule });
		const a = client();
		const source = new Y.Doc();
		const updates: Uint8Array[] = [];
		source.on('update', (u: Uint8Array) => updates.push(u));
		source.getMap('m').set('first', 1);
		source.getMap('m').set('second', 2);
		room.receive(a.session, encodeUpdate(updates[1]));
		await room.flush();
		expect(store.rowCount(ROOM)).toBe(0);
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({});
		room.receive(a.session, encodeUpdate(updates[0]));
		await room.flush();
		expect((await storedDoc(store, ROOM)).getMap('m').toJSON()).toEqual({ first: 1, second: 2 });
		expect(room.doc.store.pendingStructs).toBeNull();
	});
});

describe('garbage', () => {
	test('closes the session that sent it (1003/1007) and nothing else', async () => {
		const store = new ControlledStore();
		const { room, client, log } = await setup(store);
		const a = client();
		const b = client();
		a.set('x', 1);
		await room.flush();
		room.receive(a.session, new Uint8Array([0, 2, 200, 1, 2, 3]));
		expect(a.socket.closed?.code).toBe(1007);
		expect(log.lines.join('\n')).toMatch(/closing session/);
		room.receive(a.session, encodeUpdate(Y.encodeStateAsUpdate(new Y.Doc()))); // after close: ignored
		room.receive(b.session, new Uint8Array([42]));
		expect(b.socket.closed?.code).toBe(1003);
		expect(room.sessionCount).toBe(0);
		const c = client();
		c.set('y', 2);
		await room.flush();
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({ x: 1, y: 2 });
		expect(store.rowCount(ROOM)).toBe(2);
	});

	test('an update cut short in its delete set is not half-applied', async () => {
		// Y.applyUpdate integrates the structs before it reads the delete set; without decoding
		// the whole update first, this would leave 'x' in the doc and in the store.
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		const source = new Y.Doc();
		source.getMap('m').set('x', 1);
		const update = Y.encodeStateAsUpdate(source);
		room.receive(a.session, encodeUpdate(update.slice(0, -1)));
		await room.flush();
		expect(a.socket.closed?.code).toBe(1007);
		expect(room.read((d) => d.getMap('m').toJSON())).toEqual({});
		expect(store.rowCount(ROOM)).toBe(0);
	});

	test('5,000 random frames, each from a new session: every one is closed, the doc and the store are untouched', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store, { log: { warn() {}, error() {} } });
		client().set('x', 1);
		await room.flush();
		const before = Y.encodeStateAsUpdate(room.doc);
		let seed = 99;
		const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		for (let i = 0; i < 5000; i++) {
			const bytes = new Uint8Array(4 + Math.floor(random() * 100)).map(() => Math.floor(random() * 256));
			if (i % 2 === 0) bytes.set([0, 1 + (i % 4 === 0 ? 1 : 0)]); // plausible sync headers
			const c = new FakeClient(room, editor);
			room.receive(c.session, bytes);
			expect(c.socket.closed, `frame ${i}`).not.toBeNull();
			c.destroy();
		}
		await room.flush();
		expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before);
		expect(store.rowCount(ROOM)).toBe(1);
		expect(room.sessionCount).toBe(1);
	});
});

describe('server writes take the client path', () => {
	test('change() persists, then broadcasts to every session, and resolves once durable', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		const v = client(viewer);
		a.pump();
		const done = room.change((doc) => doc.getArray('cards').push([{ id: 'c1' }]), 'engine');
		expect(store.rowCount(ROOM)).toBe(0);
		await done;
		expect(store.rowCount(ROOM)).toBe(1);
		expect(a.pump()).toEqual(['update']);
		v.pump();
		expect(v.doc.getArray('cards').toJSON()).toEqual([{ id: 'c1' }]);
		expect(room.read((doc) => doc.getArray('cards').length)).toBe(1);
	});

	test('a change that throws keeps (and saves) what it did before throwing', async () => {
		const store = new ControlledStore();
		const { room } = await setup(store);
		const failing = room.change((doc) => {
			doc.getMap('m').set('half', true);
			throw new Error('boom');
		});
		await expect(failing).rejects.toThrow('boom');
		await room.flush();
		expect((await storedDoc(store, ROOM)).getMap('m').get('half')).toBe(true);
	});
});

describe('a failed append stops the room instead of diverging', () => {
	test('every session is closed with 1011, queued writes are not stored, and the room refuses further use', async () => {
		const store = new ControlledStore();
		let failed: Error | null = null;
		const { room, client } = await setup(store, { onFail: (_r, e) => (failed = e) });
		const a = client();
		const b = client();
		a.set('kept', 1);
		await room.flush();
		b.pump();
		store.hold();
		a.set('lost', 1);
		a.set('after', 1);
		store.failAppends = true;
		store.open();
		await expect(room.flush()).rejects.toBeInstanceOf(RoomClosedError);
		expect(room.state).toBe('failed');
		expect(failed).toBeInstanceOf(RoomClosedError);
		expect(a.socket.closed?.code).toBe(1011);
		expect(b.socket.closed?.code).toBe(1011);
		b.pump();
		expect(b.get('lost')).toBeUndefined(); // nobody was shown what was not saved
		store.failAppends = false;
		await room.flush().catch(() => {});
		expect(store.rowCount(ROOM)).toBe(1); // 'after' was not written past the hole either
		await expect(room.change((doc) => doc.getMap('m').set('z', 1))).rejects.toThrow(/could not be saved/);
		expect(() => room.join(new FakeSocket(), editor)).toThrow(RoomClosedError);
	});

	test('a reload plus the writer’s step 2 on reconnect restores what was lost', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		a.set('kept', 1);
		await room.flush();
		store.failAppends = true;
		a.set('lost', 1);
		await room.flush().catch(() => {});
		await room.unload();
		expect(store.rowCount(ROOM)).toBe(1); // a failed room writes nothing on unload
		store.failAppends = false;

		const reloaded = await SyncRoom.load(ROOM, store, { log: recordingLog() });
		cleanup.push(() => reloaded.unload());
		const again = new FakeClient(reloaded, editor);
		cleanup.push(() => again.destroy());
		Y.applyUpdate(again.doc, Y.encodeStateAsUpdate(a.doc));
		again.pump(); // the server's step 1; reply as the stock client does:
		reloaded.receive(again.session, encodeSyncStep2(again.doc, Y.encodeStateVector(reloaded.doc)));
		await reloaded.flush();
		expect((await storedDoc(store, ROOM)).getMap('m').toJSON()).toEqual({ kept: 1, lost: 1 });
	});
});

describe('compaction', () => {
	test('after compactEvery appends the rows become one, and replay to the same doc', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store, { compactEvery: 10 });
		const a = client();
		for (let i = 0; i < 10; i++) a.set(`k${i}`, i);
		await room.flush();
		expect(store.rowCount(ROOM)).toBe(10);
		a.set('k10', 10);
		await room.flush();
		expect(store.log.at(-1)).toBe('compact 11');
		expect(store.rowCount(ROOM)).toBe(1);
		for (let i = 11; i < 25; i++) {
			a.set(`k${i}`, i);
			await room.flush();
		}
		expect(store.log.filter((l) => l.startsWith('compact'))).toEqual(['compact 11', 'compact 21']);
		expect(store.rowCount(ROOM)).toBe(5); // compacted again at 11 rows, then 4 more
		expect((await storedDoc(store, ROOM)).getMap('m').toJSON()).toEqual(room.read((d) => d.getMap('m').toJSON()));
	});

	test('compaction while more appends are queued keeps them all', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store, { compactEvery: 5 });
		const a = client();
		store.hold();
		for (let i = 0; i < 23; i++) a.set(`k${i}`, i);
		store.open();
		await room.flush();
		const stored = (await storedDoc(store, ROOM)).getMap('m').toJSON();
		expect(Object.keys(stored)).toHaveLength(23);
		expect(store.rowCount(ROOM)).toBeLessThan(23);
	});

	test('a failed compaction loses nothing and the room keeps working', async () => {
		const store = new ControlledStore();
		const { room, client, log } = await setup(store, { compactEvery: 3 });
		store.failCompactions = true;
		const a = client();
		for (let i = 0; i < 6; i++) a.set(`k${i}`, i);
		await room.flush();
		expect(room.state).toBe('open');
		expect(log.lines.join('\n')).toMatch(/compaction failed/);
		expect(store.rowCount(ROOM)).toBe(6);
		store.failCompactions = false;
		await room.unload();
		expect(store.rowCount(ROOM)).toBe(1);
		expect(Object.keys((await storedDoc(store, ROOM)).getMap('m').toJSON())).toHaveLength(6);
	});
});

describe('load and unload', () => {
	test('initialize runs only for a room with nothing stored, and its writes are stored', async () => {
		const store = new ControlledStore();
		let calls = 0;
		const initialize = (_name: string, doc: Y.Doc) => {
			calls++;
			doc.getMap('meta').set('schemaVersion', 1);
		};
		const first = await SyncRoom.load(ROOM, store, { initialize });
		expect(store.rowCount(ROOM)).toBe(1);
		await first.unload();
		const second = await SyncRoom.load(ROOM, store, { initialize });
		expect(calls).toBe(1);
		expect(second.read((d) => d.getMap('meta').get('schemaVersion'))).toBe(1);
		await second.unload();
	});

	test('unload closes sessions, compacts and leaves a room that refuses use', async () => {
		const store = new ControlledStore();
		const { room, client } = await setup(store);
		const a = client();
		a.set('x', 1);
		a.set('y', 2);
		await room.unload(1001, 'bye');
		expect(a.socket.closed).toEqual({ code: 1001, reason: 'bye' });
		expect(store.rowCount(ROOM)).toBe(1);
		expect(room.state).toBe('closed');
		await expect(room.change(() => {})).rejects.toBeInstanceOf(RoomClosedError);
		const reloaded = await SyncRoom.load(ROOM, store);
		expect(reloaded.read((d) => d.getMap('m').toJSON())).toEqual({ x: 1, y: 2 });
		await reloaded.unload();
	});

	test('a corrupt stored row makes the load fail rather than start from an empty doc', async () => {
		const store = new MemoryUpdateStore();
		await store.append(ROOM, new Uint8Array([1, 2, 3, 4, 5]));
		await expect(SyncRoom.load(ROOM, store)).rejects.toThrow();
		expect(store.rowCount(ROOM)).toBe(1);
	});

	test('a step 1 from a writer after joining is answered (the sync handshake end to end)', async () => {
		const { room, client } = await setup();
		const a = client();
		a.set('x', 1);
		await room.flush();
		const b = client();
		room.receive(b.session, encodeSyncStep1(b.doc));
		await room.flush();
		expect(b.pump()).toEqual(['step1', 'step2']);
		expect(b.get('x')).toBe(1);
	});
});
