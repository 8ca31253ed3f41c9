import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../server/ids';
import { historyMark, structCount } from '../../server/sync/history-reset';
import { CLOSE, encodeSyncStep2 } from '../../server/sync/protocol';
import { backends, type TestDatabase } from '../helpers/databases';
import { Peers, startSyncServer, storedDoc, storedRows, synced, waitFor, type Peer, type SyncTestServer } from './harness';

/**
 * Graph-room history resets (server/sync/history-reset.ts) end to end: the stock y-websocket
 * client, a real server, the store on each backend. Notes are moved as the canvas moves them
 * (x and y set on the note's Y.Map), which is what leaves history behind.
 */
const POLICY = { minStructs: 200, factor: 4, quietMs: 300 };

/** What our editor does on 4409: drop the doc and provider, start over with fresh ones. */
class Editor {
	peer: Peer;
	resets = 0;
	/** The notes as this editor's doc held them when the reset closed it. */
	lastSeen: unknown = null;
	constructor(
		private readonly peers: Peers,
		private readonly server: SyncTestServer,
		private readonly room: string
	) {
		this.peer = this.open();
	}
	private open(): Peer {
		const peer = this.peers.connect(this.server, this.room, 'editor');
		peer.provider.on('closed', ({ code }) => {
			if (code !== CLOSE.historyReset) return;
			this.lastSeen = notesJson(peer.doc);
			peer.destroy();
			this.resets++;
			this.peer = this.open();
		});
		return peer;
	}
	get notes() {
		return this.peer.doc.getMap<Y.Map<unknown>>('notes');
	}
	move(id: string, x: number, y: number) {
		const note = this.notes.get(id)!;
		this.peer.doc.transact(() => {
			note.set('x', x);
			note.set('y', y);
		});
	}
}

const notesJson = (doc: Y.Doc) => doc.getMap('notes').toJSON();

describe.each(backends())('graph history resets on $name', (backend) => {
	let t: TestDatabase;
	let server: SyncTestServer;
	const peers = new Peers();

	beforeAll(async () => {
		t = await backend.open();
		server = await startSyncServer(t.db, { historyReset: () => POLICY });
	});
	afterEach(() => peers.destroyAll());
	afterAll(async () => {
		await server.close();
		await t.close();
	});

	/** Two editors on a new room with three notes; `moves` moves split between them. */
	async function editedRoom(moves: number) {
		const name = randomId(8);
		const a = new Editor(peers, server, name);
		const b = new Editor(peers, server, name);
		await Promise.all([synced(a.peer), synced(b.peer)]);
		a.peer.doc.transact(() => {
			for (const id of ['n1', 'n2', 'n3']) {
				const note = new Y.Map<unknown>();
				for (const [k, v] of Object.entries({ text: `note ${id}`, x: 0, y: 0 })) note.set(k, v);
				a.notes.set(id, note);
			}
		});
		await waitFor(() => b.notes.size === 3, 'the notes reach b');
		for (let i = 1; i <= moves; i++) (i % 2 ? a : b).move(`n${(i % 3) + 1}`, i, -i);
		return { name, a, b };
	}

	test('past its threshold the room resets: stored state small and equal to the graph, clients reconnect fresh and converge', async () => {
		const { name, a, b } = await editedRoom(150); // 300 deleted structs: past 200 and 4× the content
		await waitFor(() => a.resets === 1 && b.resets === 1 && a.peer.provider.synced && b.peer.provider.synced, 'both editors reconnected after the reset');
		// Both editors had seen every move (the reset waited for a quiet moment); concurrent moves
		// of one note settle by Yjs's rules, so the expected graph is what they agreed on.
		const expected = a.lastSeen;
		expect(b.lastSeen).toEqual(expected);
		expect(Object.keys(expected as object)).toEqual(['n1', 'n2', 'n3']);

		expect(await storedRows(t.db, name)).toBe(1);
		const stored = await storedDoc(t.db, name);
		expect(notesJson(stored)).toEqual(expected);
		expect(historyMark(stored)?.epoch).toBe(1);
		// 3 notes × (map + 3 fields) + the mark: no history left.
		expect(structCount(stored)).toBe(13);
		expect(stored.store.clients.size).toBe(1);

		expect(notesJson(a.peer.doc)).toEqual(expected);
		a.move('n1', 1000, 1000);
		await waitFor(() => b.notes.get('n1')?.get('x') === 1000, 'an edit after the reset reaches b');
		expect(notesJson(b.peer.doc)).toEqual(notesJson(a.peer.doc));
		expect(server.log.lines.some((l) => l.includes('history reset to epoch 1'))).toBe(true);
	});

	test('a client coming back with its old doc is refused with 4409 and brings no history back', async () => {
		const { name, a } = await editedRoom(10); // below the threshold: reset by hand below
		const old = peers.connect(server, name, 'editor'); // a stock client that keeps its doc
		await synced(old);
		const oldState = Y.encodeStateAsUpdate(old.doc);
		expect(await server.rooms.resetHistory(name)).toBe(true);
		await waitFor(() => old.closes.includes(CLOSE.historyReset) && a.resets === 1, 'the reset reaches both');
		const before = structCount(await storedDoc(t.db, name));

		// The stock client stopped (4409 is final); started again with the old doc, it is refused.
		const again = peers.connect(server, name, 'editor', { doc: old.doc });
		await waitFor(() => again.closes.includes(CLOSE.historyReset), 'the old doc refused');
		expect(again.provider.shouldConnect).toBe(false);
		// A client that skips step 1 and pushes the old state at once is refused as well.
		const raw = await peers.raw(server, name, 'editor');
		const oldDoc = new Y.Doc();
		Y.applyUpdate(oldDoc, oldState);
		raw.ws.send(encodeSyncStep2(oldDoc, new Uint8Array([0])));
		expect((await raw.closed).code).toBe(CLOSE.historyReset);
		// Reconnecting fresh (what the editor did) still works, and nothing old was stored.
		await waitFor(() => a.peer.provider.synced, 'a reconnected fresh');
		a.move('n2', 4242, 4242);
		await waitFor(async () => (await storedDoc(t.db, name)).getMap<Y.Map<unknown>>('notes').get('n2')?.get('x') === 4242, 'the fresh edit stored');
		const stored = await storedDoc(t.db, name);
		for (const client of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(oldState)).keys()) expect(stored.store.clients.has(client)).toBe(false);
		expect(structCount(stored)).toBe(before + 2); // the move's x and y, over the rebuilt doc
		expect(notesJson(stored)).toEqual(notesJson(a.peer.doc));
	});

	test('an edit racing the reset is stored before the swap or refused with 4409, never dropped silently', async () => {
		const { name, a } = await editedRoom(0);
		const observer = peers.connect(server, name, 'viewer');
		await synced(observer);
		const writer = a.peer;
		let sent = 0;
		let resetting: Promise<boolean> | null = null;
		// Moves keep going, one per macrotask, until the writer is closed; the reset starts
		// from the server side as soon as the observer has seen some of them.
		while (!writer.closes.includes(CLOSE.historyReset)) {
			writer.doc.transact(() => (writer.doc.getMap<Y.Map<unknown>>('notes').get('n1')!.set('x', ++sent)));
			if (!resetting && Number(observer.doc.getMap<Y.Map<unknown>>('notes').get('n1')?.get('x')) >= 20) resetting = server.rooms.resetHistory(name);
			await new Promise((resolve) => setImmediate(resolve));
			if (sent > 5000) throw new Error('the reset never came');
		}
		expect(await resetting).toBe(true);
		const seen = Number(observer.doc.getMap<Y.Map<unknown>>('notes').get('n1')?.get('x'));
		const stored = Number((await storedDoc(t.db, name)).getMap<Y.Map<unknown>>('notes').get('n1')?.get('x'));
		// Everything anyone was shown is stored; whatever the writer sent after is refused (4409).
		expect(stored).toBeGreaterThanOrEqual(seen);
		expect(stored).toBeLessThanOrEqual(sent);
		// The writer starts over from exactly what was stored.
		await waitFor(() => a.resets === 1 && a.peer.provider.synced, 'the writer reconnected');
		expect(a.notes.get('n1')?.get('x')).toBe(stored);
	});
});
