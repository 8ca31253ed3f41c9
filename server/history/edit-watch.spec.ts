import { describe, expect, test } from 'vitest';
import type { RemoteRoom, Replication, RoomLink } from '../sync/replication';
import { MemoryUpdateStore } from '../sync/store';
import { watchEdits, watchReplication } from './edit-watch';

describe('what the history hears of edits', () => {
	test('every stored change, with the authors the room named', async () => {
		const heard: Array<[string, readonly string[]]> = [];
		const store = watchEdits(new MemoryUpdateStore(), (room, authors) => heard.push([room, authors]));
		await store.append('net1', new Uint8Array([0, 0]), ['ada', 'bo']);
		await store.append('net1', new Uint8Array([0, 0]));
		expect(heard).toEqual([
			['net1', ['ada', 'bo']],
			['net1', []]
		]);
	});

	test('every change another process stored, after the room applied it; presence is not an edit', async () => {
		const heard: string[] = [];
		const applied: string[] = [];
		let delivered: RemoteRoom | null = null;
		const published: string[] = [];
		const link: RoomLink = {
			start: (target) => (delivered = target),
			publishUpdate: (_u, seq) => published.push(seq),
			publishAwareness: () => published.push('awareness'),
			compacted: (upto) => published.push(`compacted ${upto}`),
			close: () => published.push('closed')
		};
		const replication: Replication = { attach: async () => link };
		const watched = await watchReplication(replication, (room) => heard.push(`${room} (applied: ${applied.length})`)).attach('net1');
		watched.start({
			applyUpdate: (_u, seq) => applied.push(String(seq)),
			applyAwareness: () => applied.push('awareness'),
			presenceWanted: () => {},
			reload: async () => {}
		});
		delivered!.applyUpdate(new Uint8Array([0, 0]), '7');
		delivered!.applyAwareness(new Uint8Array([0]));
		expect(heard).toEqual(['net1 (applied: 1)']);
		expect(applied).toEqual(['7', 'awareness']);
		// The room's own traffic still reaches the replication.
		watched.publishUpdate(new Uint8Array([0, 0]), '8');
		watched.compacted('8');
		watched.close();
		expect(published).toEqual(['8', 'compacted 8', 'closed']);
	});
});
