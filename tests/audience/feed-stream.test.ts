import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FeedStreams } from '../../server/audience/feed-stream';
import type { Db } from '../../server/db/connect';
import { appendCards, setRunState, type Card } from '../../server/engine/feed';
import { AppError } from '../../server/errors';
import { ConnectionAdmission } from '../../server/http/connection-admission';
import { randomId } from '../../server/ids';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { backends, type TestDatabase } from '../helpers/databases';
import { readSse as reader } from '../helpers/sse';
import { boot, createUser, sleep, until } from './setup';

/** The client address a feed request is counted under. */
const here = { address: '203.0.113.9' };

const card = (runId: string, seq: number, text: string): Card => ({
	id: `${runId}-${seq}`,
	runId,
	nodeId: 'a',
	modelId: 'dummy/echo',
	seq,
	kind: 'text',
	text,
	createdAt: new Date().toISOString()
});

describe.each(backends())('feed stream on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let owner: Awaited<ReturnType<typeof createUser>>;
	const cleanup: Array<() => Promise<void>> = [];

	beforeAll(async () => {
		database = await open();
		db = database.db;
		owner = await createUser(db);
	});
	afterEach(async () => {
		for (const fn of cleanup.splice(0)) await fn();
	});
	afterAll(() => database?.close());

	function streams(options: { heartbeatMs?: number; maxQueuedBytes?: number } = {}) {
		const rooms = new SyncRooms({ store: new KyselyUpdateStore(db), log: { warn() {}, error: console.error } });
		let queue = { length: 0 } as { length: number; nextPrompt?: string };
		const asked = { count: 0 };
		const feed = new FeedStreams({ rooms, queueSummary: async () => (asked.count++, queue), queueDebounceMs: 5, ...options });
		cleanup.push(async () => {
			await feed.close();
			await rooms.close();
		});
		return { rooms, feed, asked, setQueue: (q: typeof queue) => (queue = q) };
	}
	/** Writes the feed the way the engine does: through the room, origin 'engine'. */
	const write = (rooms: SyncRooms, id: string, fn: Parameters<typeof appendCards>[0] extends infer D ? (doc: D) => void : never) =>
		rooms.withRoom(`${id}/feed`, (room) => room.change(fn, 'engine'));

	test('a subscriber gets a snapshot, then card, run and queue events; cancelling releases the room', async () => {
		const { rooms, feed, setQueue } = streams();
		const id = randomId();
		// Some history: 20 cards of an earlier run.
		await write(rooms, id, (doc) => {
			setRunState(doc, { runId: 'old', status: 'stopped', startedAt: 'x', step: 20, runningNodeIds: [] }, true);
			appendCards(doc, Array.from({ length: 20 }, (_, i) => card('old', i + 1, `old ${i + 1}`)));
		});
		expect(rooms.isLoaded(`${id}/feed`)).toBe(false);

		setQueue({ length: 2, nextPrompt: 'next up' });
		const sub = reader(await feed.open(id, { kind: 'audience', sessionId: 's1' }, { cards: 5 }));
		await until('the snapshot', () => sub.events.length === 1);
		expect(sub.raw[0]).toBe('retry: 2000');
		expect(sub.events[0].event).toBe('snapshot');
		expect(sub.events[0].data.run).toMatchObject({ runId: 'old', status: 'stopped' });
		expect(sub.events[0].data.cards.map((c: Card) => c.seq)).toEqual([16, 17, 18, 19, 20]);
		expect(sub.events[0].data.queue).toEqual({ length: 2, nextPrompt: 'next up' });
		expect(rooms.isLoaded(`${id}/feed`)).toBe(true);
		expect(feed.viewers(id)).toEqual([{ kind: 'audience', sessionId: 's1' }]);

		await write(rooms, id, (doc) => setRunState(doc, { runId: 'r1', status: 'running', startedAt: 'now', step: 0, runningNodeIds: [] }, true));
		await write(rooms, id, (doc) => appendCards(doc, [card('r1', 1, 'hello'), card('r1', 2, 'HELLO')]));
		await until('two cards', () => sub.events.filter((e) => e.event === 'card').length === 2);
		expect(sub.events.filter((e) => e.event === 'card').map((e) => e.data.text)).toEqual(['hello', 'HELLO']);
		expect(sub.events.find((e) => e.event === 'run')?.data).toMatchObject({ runId: 'r1', status: 'running' });

		setQueue({ length: 1 });
		feed.queueChanged(id);
		feed.queueChanged(id); // coalesced
		await until('a queue event', () => sub.events.some((e) => e.event === 'queue'));
		await sleep(30);
		expect(sub.events.filter((e) => e.event === 'queue').map((e) => e.data)).toEqual([{ length: 1 }]);

		await sub.cancel();
		expect(feed.viewers(id)).toEqual([]);
		await until('the room unloaded', () => !rooms.isLoaded(`${id}/feed`));
	});

	test('two subscribers share one room; it is released only when the last leaves; reconnecting gets a fresh snapshot', async () => {
		const { rooms, feed } = streams();
		const id = randomId();
		const a = reader(await feed.open(id, { kind: 'member', userId: 'u' }));
		const b = reader(await feed.open(id, { kind: 'public' }));
		await until('both snapshots', () => a.events.length === 1 && b.events.length === 1);
		expect(a.events[0].data).toEqual({ run: {}, cards: [], queue: { length: 0 } });
		await a.cancel();
		await sleep(20);
		expect(rooms.isLoaded(`${id}/feed`)).toBe(true);
		await write(rooms, id, (doc) => appendCards(doc, [card('r', 1, 'only b sees this')]));
		await until('b got the card', () => b.events.some((e) => e.event === 'card'));
		expect(a.events.some((e) => e.event === 'card')).toBe(false);

		const again = reader(await feed.open(id, { kind: 'member', userId: 'u' }));
		await until('the new snapshot', () => again.events.length === 1);
		expect(again.events[0].data.cards.map((c: Card) => c.text)).toEqual(['only b sees this']);
		await b.cancel();
		await again.cancel();
		await until('the room unloaded', () => !rooms.isLoaded(`${id}/feed`));
	});

	test('heartbeats keep the stream alive; disconnect ends matching streams with a reason', async () => {
		const { feed } = streams({ heartbeatMs: 20 });
		const id = randomId();
		const kept = reader(await feed.open(id, { kind: 'member', userId: 'u' }));
		const removed = reader(await feed.open(id, { kind: 'audience', sessionId: 'troll' }));
		await until('a heartbeat', () => kept.events.some((e) => e.event === 'comment'));
		expect(feed.disconnect(id, (v) => v.kind === 'audience' && v.sessionId === 'troll', 'You were removed from this event.')).toBe(1);
		await removed.done;
		expect(removed.events.at(-1)).toEqual({ event: 'closed', data: { reason: 'You were removed from this event.' } });
		expect(feed.viewers(id)).toEqual([{ kind: 'member', userId: 'u' }]);
		await kept.cancel();
	});

	test('a subscriber that does not read is dropped instead of buffered for', async () => {
		const { rooms, feed } = streams({ maxQueuedBytes: 4096 });
		const id = randomId();
		const stalled = await feed.open(id, { kind: 'member', userId: 'slow' }); // never read
		const reading = reader(await feed.open(id, { kind: 'member', userId: 'fast' }));
		for (let i = 0; i < 20; i++) await write(rooms, id, (doc) => appendCards(doc, [card('r', i, 'x'.repeat(1000))]));
		await until('the fast reader got them all', () => reading.events.filter((e) => e.event === 'card').length === 20);
		expect(feed.viewers(id)).toEqual([{ kind: 'member', userId: 'fast' }]);
		await expect(stalled.getReader().read()).rejects.toThrow(/behind/);
		await reading.cancel();
	});

	test('closing the feed ends every stream and leaves no room loaded', async () => {
		const { rooms, feed } = streams();
		const id = randomId();
		const sub = reader(await feed.open(id, { kind: 'member', userId: 'u' }));
		await feed.close();
		await sub.done;
		expect(rooms.isLoaded(`${id}/feed`)).toBe(false);
		await expect(feed.open(id, { kind: 'member', userId: 'u' })).rejects.toThrow();
	});

	test('the facade authorises the feed: audience of the network, members; not strangers or the removed', async () => {
		const app = boot(db);
		cleanup.push(() => app.close());
		const id = await app.network(owner);
		const other = await app.network(owner);
		const { code } = await app.audience.mintCode(id, owner);
		const { session } = await app.audience.join(code);
		const status = (p: Promise<unknown>) => p.then((s) => (s as ReadableStream).cancel().then(() => 200), (e) => (e instanceof AppError ? e.status : Promise.reject(e)));
		expect(await status(app.audience.openFeed(id, { user: null, audience: session }, here))).toBe(200);
		expect(await status(app.audience.openFeed(id, { user: owner, audience: null }, here))).toBe(200);
		expect(await status(app.audience.openFeed(other, { user: null, audience: session }, here))).toBe(401);
		expect(await status(app.audience.openFeed(id, { user: await createUser(db), audience: null }, here))).toBe(404);
		expect(await status(app.audience.openFeed(id, { user: null, audience: { ...session, revoked: true } }, here))).toBe(403);

		// A removal closes the person's open stream.
		const sub = reader(await app.audience.openFeed(id, { user: null, audience: session }, here));
		await until('snapshot', () => sub.events.length === 1);
		expect((await app.audience.presence(id, owner)).streams).toBe(1);
		await app.audience.removeSession(id, owner, session.id);
		await sub.done;
		expect(sub.events.at(-1)?.event).toBe('closed');
	});
	test('a burst of subscribers asks for the queue summary once; a change asks again and tells them', async () => {
		const { feed, asked, setQueue } = streams();
		const id = randomId();
		const subs = (await Promise.all(Array.from({ length: 20 }, () => feed.open(id, { kind: 'public' })))).map(reader);
		await until('every snapshot', () => subs.every((s) => s.events.length === 1));
		expect(asked.count).toBe(1);
		setQueue({ length: 3, nextPrompt: 'a sea' });
		feed.queueChanged(id);
		await until('the queue event', () => subs.every((s) => s.events.some((e) => e.event === 'queue')));
		const late = reader(await feed.open(id, { kind: 'public' }));
		await until('its snapshot', () => late.events.length === 1);
		expect(late.events[0].data.queue).toEqual({ length: 3, nextPrompt: 'a sea' });
		expect(asked.count).toBe(2);
		for (const sub of [...subs, late]) await sub.cancel();
	});

	test('a revocation while a stream is still opening ends it at once with the reason', async () => {
		const { feed } = streams();
		const id = randomId();
		const since = feed.revision; // read before authorising, as Audience.openFeed does
		feed.disconnect(id, (v) => v.kind === 'public', 'This network is now private.');
		let ended = 0;
		const late = reader(await feed.open(id, { kind: 'public' }, { since, onEnd: () => ended++ }));
		await late.done;
		expect(late.events).toEqual([{ event: 'closed', data: { reason: 'This network is now private.' } }]);
		expect(ended).toBe(1);
		expect(feed.viewers(id)).toEqual([]);
		// Others, and anyone authorised after the change, are not affected.
		const member = reader(await feed.open(id, { kind: 'member', userId: 'u' }, { since }));
		const fresh = reader(await feed.open(id, { kind: 'public' }, { since: feed.revision }));
		await until('both snapshots', () => member.events.length === 1 && fresh.events.length === 1);
		expect([member.events[0].event, fresh.events[0].event]).toEqual(['snapshot', 'snapshot']);
		await member.cancel();
		await fresh.cancel();
	});

	test('each access change ends exactly the streams that rested on it', async () => {
		const app = boot(db);
		cleanup.push(() => app.close());
		const id = await app.network(owner);
		const elsewhere = await app.network(owner);
		const open = (viewer: Parameters<typeof app.audience.feed.open>[1], network = id) => app.audience.feed.open(network, viewer).then(reader);
		const s = {
			removed: await open({ kind: 'member', userId: 'u1', loginSession: 'L1' }),
			member: await open({ kind: 'member', userId: 'u2', loginSession: 'L2' }),
			memberElsewhere: await open({ kind: 'member', userId: 'u2', loginSession: 'L2' }, elsewhere),
			otherTab: await open({ kind: 'member', userId: 'u2', loginSession: 'L9' }),
			anonymous: await open({ kind: 'public' }),
			stranger: await open({ kind: 'public', userId: 'u3', loginSession: 'L3' }),
			phone: await open({ kind: 'audience', sessionId: 'a1' }),
			wall: await open({ kind: 'kiosk', id: 'k1' }),
			keptScreen: await open({ kind: 'kiosk', id: 'k2' })
		};
		await until('every snapshot', () => Object.values(s).every((r) => r.events.length === 1));
		const reasons = () => Object.fromEntries(Object.entries(s).map(([k, r]) => [k, r.events.find((e) => e.event === 'closed')?.data.reason ?? null]));

		app.audience.memberRemoved(id, 'u1');
		app.audience.madePrivate(id);
		app.audience.screensRemoved(id, ['k1']);
		app.audience.loggedOut('L2');
		await until('the closed events', () => Object.values(reasons()).filter(Boolean).length === 6);
		expect(reasons()).toEqual({
			removed: 'You were removed from this network.',
			member: 'You were logged out.',
			memberElsewhere: 'You were logged out.',
			otherTab: null,
			anonymous: 'This network is now private.',
			stranger: 'This network is now private.',
			phone: null,
			wall: 'This display was removed.',
			keptScreen: null
		});
		expect(app.audience.feed.viewers(id).map((v) => v.kind).sort()).toEqual(['audience', 'kiosk', 'member']);
		for (const r of Object.values(s)) await r.cancel().catch(() => {});
	});

	test('connection caps refuse before a room is touched, and every way a stream ends gives its slot back', async () => {
		const admission = new ConnectionAdmission({ perAddress: 100, perAddressAnonymous: 2, perSession: 2, perNetwork: 100, total: 100 });
		const app = boot(db, { admission });
		cleanup.push(() => app.close());
		const [id, other, secret] = [await app.network(owner), await app.network(owner), await app.network(owner)];
		for (const network of [id, other]) await app.networks.update(network, owner, { visibility: 'public' });
		const nobody = { user: null, audience: null };
		const refusal = (p: Promise<unknown>) => p.then(() => null, (e: AppError) => ({ status: e.status, error: e.message, details: e.details }));

		const a = reader(await app.audience.openFeed(id, nobody, here));
		const b = reader(await app.audience.openFeed(id, nobody, here));
		expect(await refusal(app.audience.openFeed(other, nobody, here))).toMatchObject({
			status: 429,
			error: expect.stringMatching(/without joining/),
			details: { retryAfterSeconds: 5, limit: 'anonymous' }
		});
		expect(app.rooms.isLoaded(`${other}/feed`)).toBe(false);
		// Another address is not held to this one's share.
		const c = reader(await app.audience.openFeed(id, nobody, { address: '198.51.100.1' }));
		expect(admission.open).toBe(3);

		// The client goes away; a refused authorisation gives its slot back at once.
		await a.cancel();
		expect(admission.open).toBe(2);
		expect(await refusal(app.audience.openFeed(secret, nobody, { address: '198.51.100.1' }))).toMatchObject({ status: 401 });
		expect(admission.open).toBe(2);
		// The server ends a stream (an access change).
		await b.cancel();
		const d = reader(await app.audience.openFeed(other, nobody, here));
		await until('a snapshot', () => d.events.length === 1);
		app.audience.madePrivate(other);
		await d.done;
		expect(admission.open).toBe(1);

		// A session is capped on its own; shutting down releases everything.
		const { code } = await app.audience.mintCode(id, owner);
		const { session } = await app.audience.join(code);
		const phone = { user: null, audience: session };
		await app.audience.openFeed(id, phone, here);
		await app.audience.openFeed(id, phone, here);
		expect(await refusal(app.audience.openFeed(id, phone, here))).toMatchObject({ status: 429, details: { limit: 'session' } });
		expect(admission.open).toBe(3);
		await app.audience.close();
		expect(admission.open).toBe(0);
		await c.done;
	});
});
