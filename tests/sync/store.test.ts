import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../server/ids';
import { KyselyUpdateStore, MemoryUpdateStore, type UpdateStore } from '../../server/sync/store';
import { backends, type TestDatabase } from '../helpers/databases';

/** One contract, every implementation: memory (for unit tests) and Kysely on each backend. */
type Subject = { name: string; open(): Promise<{ store: UpdateStore; close(): Promise<void> }> };

const subjects: Subject[] = [
	{ name: 'memory', open: async () => ({ store: new MemoryUpdateStore(), close: async () => {} }) },
	...backends().map((backend) => ({
		name: `kysely on ${backend.name}`,
		async open() {
			const t: TestDatabase = await backend.open();
			return { store: new KyselyUpdateStore(t.db), close: () => t.close() };
		}
	}))
];

const bytes = (...values: number[]) => new Uint8Array(values);

describe.each(subjects)('UpdateStore contract: $name', (subject) => {
	let store: UpdateStore;
	let close: () => Promise<void>;
	beforeAll(async () => ({ store, close } = await subject.open()));
	afterAll(() => close());
	const room = () => randomId(8);

	test('an unknown room is empty', async () => {
		expect(await store.load(room())).toEqual({ updates: [], lastSeq: null });
	});

	test('appends come back in order, byte for byte, as plain Uint8Arrays', async () => {
		const name = room();
		const big = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
		const seqs = [await store.append(name, bytes(0, 0, 1)), await store.append(name, big), await store.append(name, bytes(255))];
		expect(seqs.every((s) => typeof s === 'string')).toBe(true);
		expect(BigInt(seqs[0]) < BigInt(seqs[1]) && BigInt(seqs[1]) < BigInt(seqs[2])).toBe(true);
		const { updates, lastSeq } = await store.load(name);
		expect(lastSeq).toBe(seqs[2]);
		expect(updates.map((u) => u.constructor)).toEqual([Uint8Array, Uint8Array, Uint8Array]);
		expect(updates[0]).toEqual(bytes(0, 0, 1));
		expect(Buffer.from(updates[1]).equals(Buffer.from(big))).toBe(true);
		expect(updates[2]).toEqual(bytes(255));
	});

	test('rooms are separate, including a network and its feed', async () => {
		const id = room();
		await store.append(id, bytes(1));
		await store.append(`${id}/feed`, bytes(2));
		expect((await store.load(id)).updates).toEqual([bytes(1)]);
		expect((await store.load(`${id}/feed`)).updates).toEqual([bytes(2)]);
	});

	test('compact replaces rows up to a seq with one row at that seq, and keeps later rows after it', async () => {
		const name = room();
		const other = room();
		await store.append(other, bytes(9));
		const writer = new Y.Doc();
		const seqs: string[] = [];
		for (let i = 1; i <= 5; i++) seqs.push(await store.append(name, change(writer, `k${i}`, i)));
		const merged = stateWith(['k1', 1], ['k2', 2], ['k3', 3]);
		await store.compact(name, merged, seqs[2]);
		const after = await store.load(name);
		expect(after.updates).toHaveLength(3);
		expect(after.lastSeq).toBe(seqs[4]);
		expect(keysOf(after.updates[0])).toEqual(['k1', 'k2', 'k3']);
		expect(keysOf(Y.mergeUpdates(after.updates))).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
		const later = await store.append(name, change(writer, 'k6', 6));
		await store.compact(name, Y.encodeStateAsUpdate(writer), later);
		const compacted = await store.load(name);
		expect(compacted.updates).toHaveLength(1);
		expect(compacted.lastSeq).toBe(later);
		expect(keysOf(compacted.updates[0])).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
		expect((await store.load(other)).updates).toEqual([bytes(9)]);
	});

	test('compact keeps rows the caller’s state lacks (another process appended them): it merges, never replaces blindly', async () => {
		const name = room();
		const mine = new Y.Doc();
		const theirs = new Y.Doc();
		await store.append(name, change(mine, 'mine1', 1));
		await store.append(name, change(theirs, 'theirs', 2)); // not in `mine`
		const upto = await store.append(name, change(mine, 'mine2', 3));
		await store.compact(name, Y.encodeStateAsUpdate(mine), upto);
		const after = await store.load(name);
		expect(after.updates).toHaveLength(1);
		expect(keysOf(after.updates[0])).toEqual(['mine1', 'mine2', 'theirs']);
	});

	test('replace swaps every row of a room for the given state, without merging; refused if a row came after uptoSeq', async () => {
		const name = room();
		const other = room();
		await store.append(other, bytes(9));
		await store.append(name, bytes(1));
		const upto = await store.append(name, bytes(2));
		expect(await store.replace(name, bytes(7, 7), upto)).toBe(true);
		expect(await store.load(name)).toEqual({ updates: [bytes(7, 7)], lastSeq: upto });
		expect((await store.load(other)).updates).toEqual([bytes(9)]);
		// Appends after the swap sort after it.
		const later = await store.append(name, bytes(3));
		expect((await store.load(name)).updates).toEqual([bytes(7, 7), bytes(3)]);
		// A caller that has not seen `later` must not wipe it.
		expect(await store.replace(name, bytes(8), upto)).toBe(false);
		expect(await store.load(name)).toEqual({ updates: [bytes(7, 7), bytes(3)], lastSeq: later });
	});

	test('compact collects deleted content: a row from before a delete does not bring it back', async () => {
		const name = room();
		const writer = new Y.Doc();
		const captured: Uint8Array[] = [];
		writer.on('update', (u: Uint8Array) => captured.push(u));
		const big = 'x'.repeat(50_000);
		// Several writers' ids, like a feed's lanes: which copy mergeUpdates keeps depends on their order.
		for (let i = 0; i < 8; i++) {
			writer.clientID = 1000 + i;
			writer.getArray<string>('cards').push([`${i}${big}`]);
			writer.getArray<string>('cards').delete(0, 1);
		}
		let upto = '';
		for (const update of captured) upto = await store.append(name, update);
		await store.compact(name, Y.encodeStateAsUpdate(writer), upto);
		const after = await store.load(name);
		expect(after.updates).toHaveLength(1);
		expect(after.updates[0].length).toBeLessThan(1000);
	});
});

/** Sets `key` on the doc's map and returns just that change, as a writer would send it. */
function change(doc: Y.Doc, key: string, value: number): Uint8Array {
	let update: Uint8Array | null = null;
	const capture = (u: Uint8Array) => (update = u);
	doc.on('update', capture);
	doc.getMap('m').set(key, value);
	doc.off('update', capture);
	return update!;
}

function stateWith(...entries: Array<[string, number]>): Uint8Array {
	const doc = new Y.Doc();
	for (const [key, value] of entries) doc.getMap('m').set(key, value);
	return Y.encodeStateAsUpdate(doc);
}

function keysOf(update: Uint8Array): string[] {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, update);
	return [...doc.getMap('m').keys()].sort();
}
