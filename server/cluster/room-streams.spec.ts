import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { createPostgresDatabase } from '../../tests/helpers/databases';
import { until } from '../../tests/helpers/wait';
import { openDatabase, type Db } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { CLOSE } from '../sync/protocol';
import { RoomUnavailableError, SyncRooms } from '../sync/rooms';
import { KyselyUpdateStore } from '../sync/store';
import { FakeClient } from '../sync/testing';
import { connectCluster, type Cluster } from './cluster';
import { RoomStreams } from './room-streams';

/**
 * Two or three "processes" (a Cluster, RoomStreams and SyncRooms each, as createPanic builds
 * them) in this test process, sharing one PostgreSQL database and one Redis prefix.
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

interface Node {
	cluster: Cluster;
	streams: RoomStreams;
	rooms: SyncRooms;
	warnings: string[];
	close(): Promise<void>;
}

describe.skipIf(!adminUrl || !redisUrl)('sync rooms replicated through Redis Streams', () => {
	let db: Db;
	let drop: () => Promise<void>;
	let store: KyselyUpdateStore;
	const prefix = `panic-test-${randomBytes(4).toString('hex')}`;
	let nodes: Node[] = [];
	let clients: FakeClient[] = [];

	beforeAll(async () => {
		const database = await createPostgresDatabase(adminUrl!);
		drop = database.drop;
		db = await openDatabase({ url: database.url });
		await migrateToLatest(db);
		store = new KyselyUpdateStore(db);
	}, 60_000);

	afterEach(async () => {
		for (const c of clients) {
			c.leave();
			c.destroy();
		}
		clients = [];
		await Promise.all(nodes.map((n) => n.close()));
		nodes = [];
	});

	afterAll(async () => {
		const cluster = await connectCluster({ redisUrl: redisUrl!, prefix, log: quiet });
		const keys = await cluster.redis!.keys(`${prefix}:*`);
		if (keys.length) await cluster.redis!.del(...keys);
		await cluster.close();
		await db?.destroy();
		await drop?.();
	});

	async function node(options: { compactEvery?: number; trimGraceMs?: number } = {}): Promise<Node> {
		const warnings: string[] = [];
		const log = { warn: (m: string) => void warnings.push(m), error: (m: string, ...d: unknown[]) => void warnings.push(`${m} ${d.join(' ')}`) };
		const cluster = await connectCluster({ redisUrl: redisUrl!, prefix, log: quiet });
		const streams = new RoomStreams(cluster, { trimGraceMs: options.trimGraceMs, log });
		const rooms = new SyncRooms({
			store,
			replication: streams,
			control: { bus: cluster.bus, processId: cluster.processId },
			compactEvery: options.compactEvery,
			log
		});
		const n: Node = {
			cluster,
			streams,
			rooms,
			warnings,
			async close() {
				await rooms.close();
				await streams.close();
				await cluster.close();
			}
		};
		nodes.push(n);
		return n;
	}

	async function client(n: Node, room: string, options: { principal?: string; sessionKey?: string } = {}) {
		const lease = await n.rooms.acquire(room);
		const c = new FakeClient(lease.room, { readOnly: false, awareness: true, ...options });
		clients.push(c);
		c.pump();
		return c;
	}

	const roomName = () => randomBytes(6).toString('hex');
	const keysOf = (c: FakeClient) => [...c.doc.getMap('m').keys()].sort();
	const storedKeys = async (room: string) => {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, Y.mergeUpdates((await store.load(room)).updates));
		return [...doc.getMap('m').keys()].sort();
	};

	test('concurrent writes on three processes converge, in every replica, every client and the store', async () => {
		const [a, b, c] = await Promise.all([node(), node(), node()]);
		const room = roomName();
		const editors = await Promise.all([a, b, c].map((n) => client(n, room)));
		const expected: string[] = [];
		for (let i = 0; i < 40; i++) {
			editors.forEach((e, j) => {
				e.set(`e${j}-${i}`, i);
				expected.push(`e${j}-${i}`);
			});
		}
		expected.sort();
		const started = performance.now();
		await until('every client holds every edit', () => editors.every((e) => (e.pump(), keysOf(e).length === expected.length)), 10_000);
		console.log(`[room-streams] 3 × 40 edits at once: every client holds all ${(performance.now() - started).toFixed(0)} ms later`);
		for (const e of editors) expect(keysOf(e)).toEqual(expected);
		expect(await storedKeys(room)).toEqual(expected);
	});

	test('an edit on one process reaches an editor on another in well under 100 ms (measured)', async () => {
		const [a, b] = await Promise.all([node(), node()]);
		const room = roomName();
		const writer = await client(a, room);
		const reader = (await b.rooms.acquire(room)).room;
		const times: number[] = [];
		for (let i = 0; i < 50; i++) {
			const arrived = new Promise<void>((resolve) => {
				const check = () => {
					if (reader.doc.getMap('m').get('k') !== i) return;
					reader.doc.off('update', check);
					resolve();
				};
				reader.doc.on('update', check);
			});
			const started = performance.now();
			writer.set('k', i);
			await arrived;
			times.push(performance.now() - started);
		}
		times.sort((x, y) => x - y);
		const p50 = times[Math.floor(times.length / 2)];
		const p99 = times[times.length - 1];
		console.log(`[room-streams] edit → remote replica, 50 edits: p50 ${p50.toFixed(1)} ms, max ${p99.toFixed(1)} ms`);
		expect(p50).toBeLessThan(100);
	});

	test('presence crosses processes, also to a process that loads the room later, and goes when its session leaves', async () => {
		const [a, b, c] = await Promise.all([node(), node(), node()]);
		const room = roomName();
		const ada = await client(a, room);
		const bob = await client(b, room);
		ada.setPresence({ name: 'Ada' });
		const adaId = ada.doc.clientID;
		await until('Bob sees Ada', () => (bob.pump(), bob.awareness.getStates().get(adaId)?.name === 'Ada'), 5000);
		// A process that starts holding the room asks who is there.
		const cy = await client(c, room);
		await until('Cy, on a third process, sees Ada', () => (cy.pump(), cy.awareness.getStates().get(adaId)?.name === 'Ada'), 5000);
		// Bob's client echoes Ada's state back, as the stock client does; it is not a claim on her id.
		bob.setPresence({ name: 'Bob' });
		const bobState = bob.awareness.getStates().get(adaId);
		expect(bobState?.name).toBe('Ada');
		ada.leave();
		await until('Ada is gone on the other processes', () => {
			bob.pump();
			cy.pump();
			return !bob.awareness.getStates().has(adaId) && !cy.awareness.getStates().has(adaId);
		}, 5000);
		await until('Ada sees Bob', () => cy.awareness.getStates().get(bob.doc.clientID)?.name === 'Bob', 5000);
	});

	test('a reader that fell behind a trim reloads from the database and misses nothing', async () => {
		const [a, b] = await Promise.all([node({ compactEvery: 5, trimGraceMs: 0 }), node({ trimGraceMs: 0 })]);
		const room = roomName();
		const writer = await client(a, room);
		const reader = await client(b, room);
		writer.set('before', 1);
		await until('B has the first edit', () => (reader.pump(), reader.get('before') === 1), 5000);
		const resume = await b.streams.hold();
		// One stored row each (a burst would be stored as one), so A compacts every 5.
		for (let i = 0; i < 30; i++) {
			writer.set(`k${i}`, i);
			await writer.room.flush();
		}
		// A compacted (every 5 appends) and trimmed the stream behind B's position.
		await until('the stream was trimmed', async () => {
			const entries = await a.cluster.redis!.xrange(a.streams.key(room), '-', '+');
			return entries.length < 31 && entries.some(([, fields]) => fields[3] === 'trim');
		}, 5000);
		resume();
		await until('B caught up', () => (reader.pump(), keysOf(reader).length === 31), 5000);
		expect(b.warnings.some((w) => w.includes('fell behind a trim'))).toBe(true);
		expect(keysOf(reader)).toEqual(keysOf(writer));
	});

	test('compactions by two processes interleaved with appends lose nothing', async () => {
		const [a, b] = await Promise.all([node({ compactEvery: 3 }), node({ compactEvery: 4 })]);
		const room = roomName();
		const onA = await client(a, room);
		const onB = await client(b, room);
		const expected: string[] = [];
		// Neither reads the other's changes for now: each compacts rows its doc does not hold.
		const resume = await Promise.all([a.streams.hold(), b.streams.hold()]);
		for (let i = 0; i < 60; i++) {
			onA.set(`a${i}`, i);
			onB.set(`b${i}`, i);
			expected.push(`a${i}`, `b${i}`);
			// One row per edit (a burst would be stored as one), so both compact often.
			await Promise.all([onA.room.flush(), onB.room.flush()]);
		}
		expected.sort();
		expect(await storedKeys(room)).toEqual(expected);
		for (const r of resume) r();
		await until('both replicas caught up', () => (onA.pump(), onB.pump(), keysOf(onA)).length === 120 && keysOf(onB).length === 120, 5000);
		expect((await store.load(room)).updates.length).toBeLessThan(20); // it did compact
		// And after both unload (each compacting with what it holds).
		for (const c of clients) c.leave();
		await Promise.all([a.close(), b.close()]);
		nodes = [];
		expect(await storedKeys(room)).toEqual(expected);
	});

	test('disconnect, a logout and eviction on one process reach the sessions of another', async () => {
		const [a, b] = await Promise.all([node(), node()]);
		// Pub/sub only reaches subscribers: wait until both processes' subscriptions are in place.
		for (const topic of ['rooms.disconnect', 'rooms.evict']) {
			await until(`both processes subscribed to ${topic}`, async () => {
				const [, count] = (await a.cluster.redis!.pubsub('NUMSUB', `${prefix}:bus:${topic}`)) as [string, number];
				return Number(count) >= 2;
			});
		}
		const room = roomName();
		const removed = await client(b, room, { principal: 'u1', sessionKey: 's1' });
		const kept = await client(b, room, { principal: 'u2', sessionKey: 's2' });
		const loggedOut = await client(b, room, { principal: 'u3', sessionKey: 's3' });
		const revision = b.rooms.revocations.revision;
		await a.rooms.disconnect([room], { principal: 'u1' }, 'You were removed.');
		await until('u1’s socket on B closed', () => removed.socket.closed, 5000);
		expect(removed.socket.closed).toEqual({ code: CLOSE.accessChanged, reason: 'You were removed.' });
		// A socket u1 had authorised on B before the removal, still joining, is refused too.
		expect(b.rooms.revocations.since(revision, room, { id: 0, readOnly: false, awareness: true, principal: 'u1' })).toMatchObject({
			reason: 'You were removed.'
		});
		await a.rooms.disconnectEverywhere({ sessionKey: 's3' }, 'You were logged out.', CLOSE.loggedOut);
		await until('s3’s socket on B closed', () => loggedOut.socket.closed, 5000);
		expect(loggedOut.socket.closed?.code).toBe(CLOSE.loggedOut);
		expect(kept.socket.closed).toBeNull();
		await a.rooms.evict([room]);
		await until('B’s room evicted', () => kept.socket.closed, 5000);
		expect(kept.socket.closed?.code).toBe(CLOSE.gone);
		await expect(b.rooms.acquire(room)).rejects.toBeInstanceOf(RoomUnavailableError);
		expect(await a.cluster.redis!.exists(a.streams.key(room))).toBe(0);
	});
});

const quiet = { warn() {}, error() {} };
