import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
		const seqs: string[] = [];
		for (let i = 1; i <= 5; i++) seqs.push(await store.append(name, bytes(i)));
		await store.compact(name, bytes(1, 2, 3), seqs[2]);
		const after = await store.load(name);
		expect(after.updates).toEqual([bytes(1, 2, 3), bytes(4), bytes(5)]);
		expect(after.lastSeq).toBe(seqs[4]);
		const later = await store.append(name, bytes(6));
		await store.compact(name, bytes(7), later);
		expect(await store.load(name)).toEqual({ updates: [bytes(7)], lastSeq: later });
		expect((await store.load(other)).updates).toEqual([bytes(9)]);
	});
});
