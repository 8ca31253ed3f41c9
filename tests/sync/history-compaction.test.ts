import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../server/ids';
import { structCount } from '../../server/sync/history-compaction';
import { CLOSE } from '../../server/sync/protocol';
import { backends, type TestDatabase } from '../helpers/databases';
import { Peers, startSyncServer, storedDoc, storedRows, synced, waitFor, type Peer, type SyncTestServer } from './harness';

/**
 * Graph-room history compaction (server/sync/history-compaction.ts) end to end: the stock
 * y-websocket client, a real server, the store on each backend. Notes are moved as the canvas
 * moves them (x and y set on the note's Y.Map), which is what leaves history behind.
 */
const POLICY = { minStructs: 200, factor: 4, quietMs: 300 };

const notesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('notes');
const notesJson = (doc: Y.Doc) => notesOf(doc).toJSON();

function move(peer: Peer, id: string, x: number, y: number) {
	const note = notesOf(peer.doc).get(id)!;
	peer.doc.transact(() => {
		note.set('x', x);
		note.set('y', y);
	});
}

describe.each(backends())('graph history compaction on $name', (backend) => {
	let t: TestDatabase;
	let server: SyncTestServer;
	const peers = new Peers();

	beforeAll(async () => {
		t = await backend.open();
		server = await startSyncServer(t.db, { historyCompaction: () => POLICY });
	});
	afterEach(() => peers.destroyAll());
	afterAll(async () => {
		await server.close();
		await t.close();
	});

	/** Two editors on a new room with three notes; `moves` moves split between them. */
	async function editedRoom(moves: number) {
		const name = randomId(8);
		const a = peers.connect(server, name, 'editor');
		const b = peers.connect(server, name, 'editor');
		await Promise.all([synced(a), synced(b)]);
		a.doc.transact(() => {
			for (const id of ['n1', 'n2', 'n3']) {
				const note = new Y.Map<unknown>();
				for (const [k, v] of Object.entries({ text: `note ${id}`, x: 0, y: 0 })) note.set(k, v);
				notesOf(a.doc).set(id, note);
			}
		});
		await waitFor(() => notesOf(b.doc).size === 3, 'the notes reach b');
		for (let i = 1; i <= moves; i++) move(i % 2 ? a : b, `n${(i % 3) + 1}`, i, -i);
		return { name, a, b };
	}

	const compactions = (name: string) => server.log.lines.filter((l) => l.startsWith(`[sync] ${name}: history compacted`)).length;

	test('past its threshold the room compacts in place: nobody is disconnected, the stored state shrinks, everyone stays in step', async () => {
		const { name, a, b } = await editedRoom(150); // 300 deleted structs: past 200 and 4× the content
		await waitFor(() => compactions(name) === 1, 'the room compacted at a quiet moment', 10_000);
		await waitFor(async () => (await storedRows(t.db, name)) === 1, 'the compacted state replaced the rows');
		expect(a.closes).toEqual([]);
		expect(b.closes).toEqual([]);
		const stored = await storedDoc(t.db, name);
		expect(notesJson(stored)).toEqual(notesJson(a.doc));
		expect(notesJson(b.doc)).toEqual(notesJson(a.doc));
		// 3 notes × (map + 3 fields), each moved field's first value, the runs compacted between:
		// a fraction of the 300-odd structs each editor still holds.
		expect(structCount(stored)).toBeLessThan(40);
		expect(structCount(a.doc)).toBeGreaterThan(300);

		// The editors, history and all, keep editing; so does a client that joins now.
		move(a, 'n1', 1000, 1000);
		await waitFor(() => notesOf(b.doc).get('n1')?.get('x') === 1000, 'an edit after compaction reaches b');
		const late = peers.connect(server, name, 'editor');
		await synced(late);
		expect(notesJson(late.doc)).toEqual(notesJson(a.doc));
		move(late, 'n2', 5, 6);
		move(b, 'n3', 7, 8);
		await waitFor(() => notesOf(a.doc).get('n2')?.get('x') === 5 && notesOf(a.doc).get('n3')?.get('x') === 7, 'edits from old and new clients reach a');
		for (const peer of [b, late]) await waitFor(() => JSON.stringify(notesJson(peer.doc)) === JSON.stringify(notesJson(a.doc)), 'all converge');
		expect([...a.closes, ...b.closes, ...late.closes]).toEqual([]);
	});

	test('a client that was away while others moved the same note is refused with 4409 and loses nothing of anyone else\'s', async () => {
		const { name, a, b } = await editedRoom(0);
		// b goes offline and moves n1 meanwhile; a moves n1 far past the threshold.
		b.provider.disconnect();
		move(b, 'n1', -1, -1);
		move(b, 'n2', -2, -2);
		for (let i = 1; i <= 120; i++) move(a, 'n1', i, i);
		await waitFor(() => compactions(name) === 1, 'the room compacted', 10_000);
		const before = notesJson(await storedDoc(t.db, name));

		b.provider.connect();
		await waitFor(() => b.closes.includes(CLOSE.staleDoc), 'the late write refused with 4409');
		expect(b.provider.shouldConnect).toBe(false);
		// Nothing of b's stale update was applied, so nobody saw its n1 win over a's.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(notesJson(await storedDoc(t.db, name))).toEqual(before);
		expect(notesJson(a.doc)).toEqual(before);
		expect(a.closes).toEqual([]);

		// What the editor does on 4409: a fresh doc, which syncs and edits like anyone else.
		const fresh = peers.connect(server, name, 'editor');
		await synced(fresh);
		expect(notesJson(fresh.doc)).toEqual(before);
		move(fresh, 'n2', 42, 42);
		await waitFor(() => notesOf(a.doc).get('n2')?.get('x') === 42, 'the fresh client\'s edit reaches a');
	});

	test('a room reloaded from its compacted rows keeps the content and still refuses late writes', async () => {
		const { name, a, b } = await editedRoom(0);
		// a goes away with a move of n1 while b moves n1 past the threshold.
		a.provider.disconnect();
		move(a, 'n1', -5, -5);
		for (let i = 1; i <= 150; i++) move(b, 'n1', i, i);
		await waitFor(() => compactions(name) === 1, 'the room compacted', 10_000);
		await waitFor(async () => (await storedRows(t.db, name)) === 1, 'the compacted state stored');
		const content = notesJson(b.doc);
		// Everyone leaves and the room unloads; b's doc (whole history, in step) is kept for later.
		const kept = b.doc;
		b.provider.destroy();
		await waitFor(() => !server.rooms.isLoaded(name), 'the room unloaded');

		const fresh = peers.connect(server, name, 'editor');
		await synced(fresh);
		expect(notesJson(fresh.doc)).toEqual(content);
		const back = peers.connect(server, name, 'editor', { doc: kept });
		await synced(back);
		// A client with the whole history, in step, edits and is in step with a fresh one.
		move(back, 'n1', 77, 77);
		await waitFor(() => notesOf(fresh.doc).get('n1')?.get('x') === 77, "the old doc's edit reaches the fresh one");
		expect(back.closes).toEqual([]);

		a.provider.connect();
		await waitFor(() => a.closes.includes(CLOSE.staleDoc), 'the late write refused after the reload');
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(notesOf(fresh.doc).get('n1')?.get('x')).toBe(77);
		expect(notesJson(await storedDoc(t.db, name))).toEqual(notesJson(fresh.doc));
	});
});
