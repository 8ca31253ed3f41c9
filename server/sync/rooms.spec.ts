import { afterEach, describe, expect, test, vi } from 'vitest';
import type * as Y from 'yjs';
import { SyncRooms, RoomUnavailableError } from './rooms';
import { ControlledStore, FakeClient, FakeSocket, deferred, storedDoc } from './testing';

const quiet = { warn() {}, error() {} };
const editor = { readOnly: false, awareness: true };

let toClose: SyncRooms[] = [];
afterEach(async () => {
	vi.useRealTimers();
	ControlledStore.releaseAll();
	await Promise.all(toClose.map((r) => r.close()));
	toClose = [];
});

function rooms(store = new ControlledStore(), options: { compactEvery?: number; initialize?: (room: string, doc: Y.Doc) => void } = {}) {
	const r = new SyncRooms({ store, log: quiet, ...options });
	toClose.push(r);
	return r;
}

describe('loading', () => {
	test('concurrent acquires share one load and one room', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const leases = await Promise.all([registry.acquire('n1'), registry.acquire('n1'), registry.acquire('n1')]);
		expect(store.loads).toBe(1);
		expect(new Set(leases.map((l) => l.room)).size).toBe(1);
		await Promise.all(leases.map((l) => l.release()));
		expect(registry.isLoaded('n1')).toBe(false);
	});

	test('a failing load refuses every waiting joiner, and the next acquire tries again', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		store.failLoads = true;
		const results = await Promise.allSettled([registry.acquire('n1'), registry.acquire('n1')]);
		expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
		expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(RoomUnavailableError);
		expect(registry.isLoaded('n1')).toBe(false);
		store.failLoads = false;
		const lease = await registry.acquire('n1');
		expect(store.loads).toBe(2);
		await lease.release();
	});

	test('initialize runs for a new room only', async () => {
		const store = new ControlledStore();
		const initialize = vi.fn((_room: string, doc: Y.Doc) => doc.getMap('meta').set('schemaVersion', 1));
		const registry = rooms(store, { initialize });
		await registry.withRoom('n1', () => {});
		await registry.withRoom('n1', (room) => expect(room.read((d) => d.getMap('meta').get('schemaVersion'))).toBe(1));
		expect(initialize).toHaveBeenCalledTimes(1);
		expect(initialize).toHaveBeenCalledWith('n1', expect.anything());
	});
});

describe('unloading', () => {
	test('the last release unloads: flushed, compacted, and a reload gives the same doc', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const lease = await registry.acquire('n1');
		const a = new FakeClient(lease.room, editor);
		for (let i = 0; i < 5; i++) a.set(`k${i}`, i);
		a.leave();
		await lease.release();
		expect(registry.isLoaded('n1')).toBe(false);
		expect(store.rowCount('n1')).toBe(1);
		await registry.withRoom('n1', (room) => expect(room.read((d) => d.getMap('m').toJSON())).toEqual(a.doc.getMap('m').toJSON()));
		a.destroy();
	});

	test('a room stays loaded while any holder remains', async () => {
		const registry = rooms();
		const first = await registry.acquire('n1');
		await registry.withRoom('n1', (room) => room.change((d) => d.getMap('m').set('x', 1)));
		expect(registry.isLoaded('n1')).toBe(true);
		await first.release();
		await first.release(); // twice is harmless
		expect(registry.isLoaded('n1')).toBe(false);
	});

	test('a reload waits for the unload still writing, so it sees every row', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const lease = await registry.acquire('n1');
		store.hold();
		void lease.room.change((d) => d.getMap('m').set('x', 1)).catch(() => {});
		const unloaded = lease.release(); // the append is still held back
		const reacquired = registry.acquire('n1');
		await new Promise((r) => setImmediate(r));
		expect(store.loads).toBe(1);
		store.open();
		await unloaded;
		const again = await reacquired;
		expect(again.room.read((d) => d.getMap('m').get('x'))).toBe(1);
		await again.release();
	});

	test('a failed room is forgotten at once; the next joiner gets a fresh load from the store', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const lease = await registry.acquire('n1');
		await lease.room.change((d) => d.getMap('m').set('kept', 1));
		store.failAppends = true;
		await expect(lease.room.change((d) => d.getMap('m').set('lost', 1))).rejects.toThrow();
		expect(registry.isLoaded('n1')).toBe(false);
		store.failAppends = false;
		const fresh = await registry.acquire('n1');
		expect(fresh.room).not.toBe(lease.room);
		expect(fresh.room.read((d) => d.getMap('m').toJSON())).toEqual({ kept: 1 });
		await lease.release(); // the failed room's holder lets go: nothing is written
		expect(registry.isLoaded('n1')).toBe(true);
		await fresh.release();
	});
});

describe('evict() (a network is deleted)', () => {
	test('closes sessions with 4410, lands queued writes first, skips compaction and refuses the name after', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const lease = await registry.acquire('n1');
		const socket = new FakeSocket();
		lease.room.join(socket, editor);
		await lease.room.change((d) => d.getMap('m').set('a', 1));
		store.hold();
		const pending = lease.room.change((d) => d.getMap('m').set('b', 2));
		const evicting = registry.evict(['n1', 'n1/feed']);
		await new Promise((r) => setImmediate(r));
		expect(socket.closed).toEqual({ code: 4410, reason: 'This network was deleted.' });
		store.open();
		await evicting;
		await pending;
		expect(store.rowCount('n1')).toBe(2); // both appends landed; no compaction into one
		expect(store.log.some((l) => l.startsWith('compact'))).toBe(false);
		await expect(registry.acquire('n1')).rejects.toThrow(/deleted/);
		await expect(registry.withRoom('n1/feed', () => {})).rejects.toBeInstanceOf(RoomUnavailableError);
		await lease.release();
		expect(store.rowCount('n1')).toBe(2); // a late release writes nothing either
	});
});

describe('close()', () => {
	test('closes every socket with 1001, flushes pending writes, refuses new holders and leaves no timers', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
		const store = new ControlledStore();
		const registry = rooms(store);
		const leases = await Promise.all(['n1', 'n2', 'n2/feed'].map((n) => registry.acquire(n)));
		const sockets = leases.map((l) => {
			const socket = new FakeSocket();
			l.room.join(socket, editor);
			return socket;
		});
		expect(vi.getTimerCount()).toBe(3); // one awareness sweep per room
		store.hold();
		const pending = leases.map((l, i) => l.room.change((d) => d.getMap('m').set('x', i)));
		const closing = registry.close();
		await expect(registry.acquire('n1')).rejects.toBeInstanceOf(RoomUnavailableError);
		store.open();
		await closing;
		await Promise.all(pending);
		expect(sockets.map((s) => s.closed?.code)).toEqual([1001, 1001, 1001]);
		for (const [i, name] of ['n1', 'n2', 'n2/feed'].entries()) {
			expect((await storedDoc(store, name)).getMap('m').get('x')).toBe(i);
		}
		expect(vi.getTimerCount()).toBe(0);
		await Promise.all(leases.map((l) => l.release())); // late releases are harmless
		expect(registry.size).toBe(0);
	});

	test('waits for a load in progress and closes that room too', async () => {
		const store = new ControlledStore();
		const registry = rooms(store);
		const gate = deferred();
		const load = store.load.bind(store);
		store.load = async (room) => {
			await gate.promise;
			return load(room);
		};
		const joining = registry.acquire('n1');
		const closing = registry.close();
		gate.resolve();
		await closing;
		await expect(joining).rejects.toBeInstanceOf(RoomUnavailableError);
	});
});
