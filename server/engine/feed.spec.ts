import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryUpdateStore } from '../sync/store';
import { SyncRoom } from '../sync/room';
import { FakeClient } from '../sync/testing';
import { appendCards, cardsOf, FEED_CARD_LIMIT, runMapOf, setRunState, updateRunState, type Card } from './feed';

const card = (seq: number): Card => ({
	id: `card-${seq}`,
	runId: 'run-1',
	nodeId: seq % 2 ? 'caption' : 'paint',
	modelId: seq % 2 ? 'local/caption' : 'local/paint',
	seq,
	kind: seq % 2 ? 'text' : 'image',
	...(seq % 2 ? { text: `a red circle and a blue stripe, step ${seq}` } : { url: `/assets/${'ab'.repeat(32)}.png` }),
	createdAt: new Date(1_700_000_000_000 + seq * 200).toISOString()
});

/** What a run's step writes to the feed (run-controller's completion): a card and the run map's step fields. */
const step = (doc: Y.Doc, seq: number) =>
	doc.transact(() => {
		appendCards(doc, [card(seq)]);
		updateRunState(doc, 'run-1', { step: seq + 1, runningNodeIds: [seq % 2 ? 'paint' : 'caption'], runningSeqs: [seq + 1] });
	}, 'engine');

const structs = (doc: Y.Doc) => [...doc.store.clients.values()].reduce((n, list) => n + list.length, 0);
const cardBytes = (doc: Y.Doc) => JSON.stringify(cardsOf(doc).toJSON()).length;

/**
 * The feed doc's bound (feed.ts, "lanes"): after any number of steps it holds the newest
 * FEED_CARD_LIMIT cards, and its memory (structs) and encoded state stay what those cards and the
 * run map take plus a constant. Without the lanes, 10,000 steps leave ~30,000 tombstone structs
 * and ~300 KB of encoded state, growing by the step.
 */
describe('a feed doc that runs for days stays bounded', () => {
	it('after 10,000 steps: the newest 200 cards, a few structs and an encoded state no bigger than its cards', () => {
		const doc = new Y.Doc();
		setRunState(doc, { runId: 'run-1', status: 'running', startedAt: new Date().toISOString(), step: 0, runningNodeIds: [] }, true);
		for (let seq = 0; seq < 10_000; seq++) step(doc, seq);

		const cards = cardsOf(doc).toArray();
		expect(cards).toHaveLength(FEED_CARD_LIMIT);
		expect(cards[0].seq).toBe(10_000 - FEED_CARD_LIMIT);
		expect(cards.at(-1)!.seq).toBe(9_999);
		expect(runMapOf(doc).get('step')).toBe(10_000);
		expect(structs(doc)).toBeLessThan(40);
		expect(Y.encodeStateAsUpdate(doc).length).toBeLessThan(cardBytes(doc) + 2048);
	});

	it('stays bounded where it is read too (a client applying every update) and across reloads from the stored state', () => {
		let doc = new Y.Doc();
		const reader = new Y.Doc();
		const follow = (d: Y.Doc) => d.on('update', (update: Uint8Array) => Y.applyUpdate(reader, update));
		follow(doc);
		setRunState(doc, { runId: 'run-1', status: 'running', startedAt: new Date().toISOString(), step: 0, runningNodeIds: [] }, true);
		let seq = 0;
		for (let reload = 0; reload < 5; reload++) {
			for (const end = seq + 2_000; seq < end; seq++) step(doc, seq);
			// The room unloads and loads again (or another process takes the run over): new lanes.
			const loaded = new Y.Doc();
			Y.applyUpdate(loaded, Y.encodeStateAsUpdate(doc));
			doc.destroy();
			doc = loaded;
			follow(doc);
		}
		expect(cardsOf(reader).toJSON()).toEqual(cardsOf(doc).toJSON());
		expect(structs(reader)).toBeLessThan(5 * 40);
		expect(Y.encodeStateAsUpdate(reader).length).toBeLessThan(cardBytes(reader) + 5 * 2048);
	});

	it('through a sync room: 10,000 engine writes leave a bounded doc and bounded stored rows', async () => {
		const store = new MemoryUpdateStore();
		const room = await SyncRoom.load('net/feed', store, { log: { warn() {}, error() {} } });
		const watcher = new FakeClient(room, { readOnly: true, awareness: false });
		await room.change((doc) => setRunState(doc, { runId: 'run-1', status: 'running', startedAt: new Date().toISOString(), step: 0, runningNodeIds: [] }, true), 'engine');
		for (let seq = 0; seq < 10_000; seq++) {
			await room.change((doc) => {
				appendCards(doc, [card(seq)]);
				updateRunState(doc, 'run-1', { step: seq + 1, runningSeqs: [seq + 1] });
			}, 'engine');
		}
		await room.flush();
		watcher.pump();
		expect(cardsOf(watcher.doc).length).toBe(FEED_CARD_LIMIT);
		expect(structs(room.doc)).toBeLessThan(40);
		const stored = await store.load('net/feed');
		// Compaction every 200 appends: at most that many small rows besides one merged state.
		const bytes = stored.updates.reduce((n, u) => n + u.length, 0);
		expect(bytes).toBeLessThan(cardBytes(room.doc) + 2048 + 200 * 400);
		const bound = cardBytes(room.doc) + 2048;
		await room.unload();
		const compacted = await store.load('net/feed');
		expect(compacted.updates).toHaveLength(1);
		expect(compacted.updates[0].length).toBeLessThan(bound);
	});
});
