import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPanic, type Panic } from '../../server/app';
import { configFromEnv } from '../../server/config';
import { backends, type TestDatabase } from '../helpers/databases';
import { loopGraph } from '../helpers/graphs';
import type { SseEvent } from '../helpers/sse';

/**
 * Network changes reach what rests on them through the events createPanic subscribes to
 * (server/networks/events.ts), with the real engine, audience and rooms: each case changes a
 * network through `panic` as the HTTP routes do and watches the subscriber follow. Sockets
 * are covered over the server: sync-app (membership), revocation-api (removal, going private),
 * facilitation-api (lock, pacing).
 */

const owner = { id: 'owner', email: 'owner@example.org', is_admin: false, created_at: new Date(), display_name: null };
const here = { address: '203.0.113.9' };

/** A feed stream read as it comes: `next` resolves with the first later event that matches. */
function feedReader(stream: ReadableStream<Uint8Array>) {
	const reader = stream.getReader();
	const decoder = new TextDecoder();
	const seen: SseEvent[] = [];
	let buffer = '';
	return {
		seen,
		async next(match: (event: SseEvent) => boolean): Promise<SseEvent> {
			for (;;) {
				let end;
				while ((end = buffer.indexOf('\n\n')) !== -1) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					const name = /^event: (.*)$/m.exec(block)?.[1];
					if (!name) continue; // a heartbeat or the retry hint
					const data = /^data: (.*)$/m.exec(block)?.[1];
					const event = { event: name, data: data ? JSON.parse(data) : null };
					seen.push(event);
					if (match(event)) return event;
				}
				const { value, done } = await reader.read();
				if (done) throw new Error(`The stream ended before the event came (saw ${seen.map((e) => e.event).join(', ')})`);
				buffer += decoder.decode(value, { stream: true });
			}
		},
		/** Resolves once the server ended the stream. */
		async ended(): Promise<void> {
			while (!(await reader.read()).done);
		},
		cancel: () => reader.cancel()
	};
}

describe.each(backends())('network-change events reach their subscribers on $name', (backend) => {
	let t: TestDatabase;
	let dataDir: string;
	let panic: Panic;

	beforeAll(async () => {
		t = await backend.open();
		await t.db.insertInto('users').values({ id: owner.id, email: owner.email, password_hash: 'x' }).execute();
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-network-events-'));
		panic = await createPanic(configFromEnv({ PANIC_DATA_DIR: dataDir, PANIC_DUMMY_MODELS: '1' }), { db: t.db, resume: false });
	});
	afterAll(async () => {
		await panic?.close();
		await t?.close();
		if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
	});

	/** A looping network of instant dummy models, and its feed as the owner streams it. */
	async function loopingNetwork(name: string) {
		const { id } = await panic.createNetwork(owner, name);
		await panic.graphs.put(id, owner, loopGraph('dummy/echo', 'dummy/upper'));
		const feed = feedReader(await panic.audience.openFeed(id, { user: owner, audience: null }, here));
		await feed.next((e) => e.event === 'snapshot');
		return { id, feed };
	}
	const cardOf = (runId: string) => (e: SseEvent) => e.event === 'card' && e.data.runId === runId;

	test('audience settings: switching moderated → auto with prompts waiting starts the oldest', async () => {
		const { id, feed } = await loopingNetwork('Event');
		// A long lockout: the second prompt has to wait for it, so only the oldest may start now.
		await panic.updateNetwork(id, owner, { audience: { queueMode: 'moderated' }, settings: { lockoutSeconds: 600 } });
		const { code } = await panic.audience.mintCode(id, owner);
		for (const text of ['the oldest', 'the newer']) {
			const { session } = await panic.audience.join(code);
			expect(await panic.audience.submitPrompt(id, { user: null, audience: session }, text)).toMatchObject({ status: 'queued' });
		}
		const prompts = () => t.db.selectFrom('prompts').select(['text', 'status']).where('network_id', '=', id).orderBy('created_at').execute();
		expect((await prompts()).map((p) => p.status)).toEqual(['queued', 'queued']);
		expect(panic.engine.activeRun(id)).toBeNull();

		await panic.updateNetwork(id, owner, { audience: { queueMode: 'auto' } });
		const { data: run } = await feed.next((e) => e.event === 'run' && e.data.status === 'running');
		// Claimed before its run started; the newer waits out the lockout.
		expect(await prompts()).toEqual([
			{ text: 'the oldest', status: 'started' },
			{ text: 'the newer', status: 'queued' }
		]);
		const { input } = await t.db.selectFrom('runs').select('input').where('id', '=', run.runId).executeTakeFirstOrThrow();
		expect(input).toMatchObject({ kind: 'text', text: 'the oldest' });
		await panic.engine.stopNetwork(id);
		await feed.cancel();
	});

	test('run settings: a pacing change is on the active run before updateNetwork returns, and the run follows it', async () => {
		const { id, feed } = await loopingNetwork('Pacing');
		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 60_000 }, maxConcurrent: 1 } });
		const { runId } = await panic.engine.start(id, { kind: 'text', text: 'faster' }, owner.id);
		await feed.next(cardOf(runId)); // the first step; a minute's pacing holds the next back

		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 10 } } });
		// Awaited by the update: the facilitator's screen, reloaded now, agrees with the run.
		expect(panic.engine.activeRun(id)?.settings.pacing).toEqual({ fixedMs: 10 });
		const stored = await t.db.selectFrom('runs').select('settings').where('id', '=', runId).executeTakeFirstOrThrow();
		expect(stored.settings).toMatchObject({ pacing: { fixedMs: 10 }, maxConcurrent: 1 });
		const changedAt = Date.now();
		for (let step = 0; step < 10; step++) await feed.next(cardOf(runId));
		expect(Date.now() - changedAt).toBeLessThan(1500);

		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 60_000 } } });
		expect(panic.engine.activeRun(id)?.settings.pacing).toEqual({ fixedMs: 60_000 });
		await panic.engine.stopNetwork(id);
		// With no active run, a settings change is stored and changes nothing else.
		expect((await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 20 } } })).settings).toMatchObject({ pacing: { fixedMs: 20 } });
		await feed.cancel();
	});

	test('renaming reaches the graph doc open canvases show', async () => {
		const { id, feed } = await loopingNetwork('Before');
		await panic.updateNetwork(id, owner, { name: 'After' });
		expect(await panic.rooms.withRoom(id, (room) => room.read((doc) => doc.getMap('meta').get('name')))).toBe('After');
		await feed.cancel();
	});

	test('deleting stops the run first, then ends the streams and rooms, then the row goes', async () => {
		const { id, feed } = await loopingNetwork('Doomed');
		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 20 } } });
		const { runId } = await panic.engine.start(id, { kind: 'text', text: 'round' }, owner.id);
		await feed.next(cardOf(runId));

		await panic.deleteNetwork(id, owner);
		expect(panic.engine.activeRun(id)).toBeNull();
		expect(panic.rooms.isLoaded(id) || panic.rooms.isLoaded(`${id}/feed`)).toBe(false);
		expect(await t.db.selectFrom('networks').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
		// The stream saw the run stop before it was closed: the engine's listener ran first.
		const closed = await feed.next((e) => e.event === 'closed');
		expect(closed.data).toEqual({ reason: 'This network was deleted.' });
		const [stopped] = feed.seen.filter((e) => e.event === 'run' && e.data.status === 'stopped');
		expect(feed.seen.indexOf(stopped)).toBeGreaterThan(-1);
		expect(feed.seen.indexOf(stopped)).toBeLessThan(feed.seen.indexOf(closed));
		await feed.ended();
	});

	test('a deleting listener that fails keeps the network: the error reaches the caller', async () => {
		const { id, feed } = await loopingNetwork('Kept');
		const off = panic.networks.events.on('deleting', () => {
			throw new Error('the run would not stop');
		});
		try {
			await expect(panic.deleteNetwork(id, owner)).rejects.toThrow('the run would not stop');
		} finally {
			off();
		}
		expect((await panic.networks.access(id, owner)).network.name).toBe('Kept');
		await panic.deleteNetwork(id, owner);
		await feed.ended();
	});
});
