import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../server/db/connect';
import type { EngineEventMap, EngineEventName, EngineEventSource } from '../../server/engine/events';
import { cardsOf, runMapOf } from '../../server/engine/feed';
import type { RunSettingsInput } from '../../server/engine/settings';
import { KyselyUpdateStore } from '../../server/sync/store';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

/** Resolves with the first `name` event that `match` accepts. */
function nextEvent<K extends EngineEventName>(
	events: EngineEventSource,
	name: K,
	match: (...args: EngineEventMap[K]) => boolean = () => true
): Promise<EngineEventMap[K][0]> {
	return new Promise((resolve) => {
		const listener = (...args: EngineEventMap[K]) => {
			if (!match(...args)) return;
			events.off(name, listener as never);
			resolve(args[0]);
		};
		events.on(name, listener as never);
	});
}

/** Resolves once `n` more `card` events of the run came. */
function cards(events: EngineEventSource, runId: string, n: number): Promise<number[]> {
	const seqs: number[] = [];
	return new Promise((resolve) => {
		const listener = ({ runId: id, card }: EngineEventMap['card'][0]) => {
			if (id !== runId) return;
			seqs.push(card.seq);
			if (seqs.length < n) return;
			events.off('card', listener);
			resolve(seqs);
		};
		events.on('card', listener);
	});
}

/** The database's update store, whose appends fail while `failing` is set (a disk full, a dropped connection). */
class FlakyStore extends KyselyUpdateStore {
	failing = false;
	private failed: Array<() => void> = [];
	override async append(room: string, update: Uint8Array) {
		if (this.failing) {
			for (const resolve of this.failed.splice(0)) resolve();
			throw new Error('append failed (test)');
		}
		return super.append(room, update);
	}
	/** Resolves at the next append that fails. */
	nextFailure(): Promise<void> {
		return new Promise((resolve) => this.failed.push(resolve));
	}
}

describe.each(backends())('engine lifecycle on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, invocations } = bed;
	let db: Db;
	let userId: string;
	beforeAll(() => ({ db, userId } = bed));
	const input = { kind: 'text' as const, text: 'hello' };

	test('a run says it started, each card, pause, resume, a settings change and its end with the steps it completed', async () => {
		// The networks domain behind its port: here a fake whose settings the test changes.
		let settings: RunSettingsInput = { pacing: { fixedMs: 20 } };
		const { engine, rooms } = boot({ networks: { runInfo: async () => ({ ownerId: userId, settings }), idsOwnedBy: async () => [] } });
		const id = await network(loopGraph('dummy/echo', 'dummy/upper'), {}, rooms);
		const seen: string[] = [];
		for (const name of ['started', 'paused', 'resumed', 'ended', 'settingsChanged'] as const) {
			engine.events.on(name, (e: { networkId: string }) => seen.push(`${name} ${e.networkId}`));
		}
		const started = nextEvent(engine.events, 'started');
		const startCall = engine.start(id, input, userId);
		expect(await started).toMatchObject({ networkId: id, resumedAfterRestart: false, paused: false });
		const { runId } = await startCall;
		const firstCards = await cards(engine.events, runId, 3);
		expect(firstCards).toEqual([1, 2, 3]);

		const paused = nextEvent(engine.events, 'paused');
		await engine.pauseRun(runId);
		expect(await paused).toEqual({ networkId: id, lane: 0, runId });
		expect(engine.activeRun(id)?.paused).toBe(true);
		const resumed = nextEvent(engine.events, 'resumed');
		await engine.resumeRun(runId);
		expect(await resumed).toEqual({ networkId: id, lane: 0, runId });
		await engine.resumeRun(runId); // not paused: nothing to say

		settings = { pacing: { fixedMs: 10 }, budgets: { maxInvocations: 500 } };
		const changed = nextEvent(engine.events, 'settingsChanged');
		await engine.applySettings(id);
		expect((await changed).settings).toMatchObject({ pacing: { fixedMs: 10 }, budgets: { maxInvocations: 500 } });

		await cards(engine.events, runId, 2);
		const ended = nextEvent(engine.events, 'ended');
		await engine.stop(runId);
		const end = await ended;
		const completed = (await invocations(runId)).filter((r) => r.state === 'completed').length;
		expect(end).toEqual({ networkId: id, lane: 0, runId, cause: 'stopped', reason: undefined, completedSteps: completed });
		expect(seen).toEqual([`started ${id}`, `paused ${id}`, `resumed ${id}`, `settingsChanged ${id}`, `ended ${id}`]);
	});

	test('a listener that throws is logged and neither the run nor other listeners notice', async () => {
		const errors: string[] = [];
		const { engine, rooms } = boot({ log: { error: (message: string) => errors.push(message) } });
		const id = await network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 10 } }, rooms);
		engine.events.on('card', () => {
			throw new Error('a broken subscriber');
		});
		const { runId } = await engine.start(id, input, userId);
		expect(await cards(engine.events, runId, 3)).toEqual([1, 2, 3]);
		await engine.stop(runId);
		expect(errors).toContain("[engine] a 'card' listener failed");
		expect((await bed.run(runId)).stop_cause).toBe('stopped');
	});

	test('a run resumed after a restart keeps to its pacing from the last stored start, not from the restart', async () => {
		const first = boot();
		const id = await network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 3000 } }, first.rooms);
		const { runId } = await first.engine.start(id, input, userId);
		await cards(first.engine.events, runId, 1); // #1 done; #2 waits for the pacing
		await first.engine.close();
		await first.rooms.close();
		const [one, two] = await invocations(runId);
		expect(two).toMatchObject({ state: 'queued', started_at: null });

		const second = boot();
		const resumed = nextEvent(second.engine.events, 'started', (e) => e.runId === runId);
		await second.engine.resume();
		expect(await resumed).toMatchObject({ resumedAfterRestart: true, paused: false });
		await cards(second.engine.events, runId, 1);
		await second.engine.stop(runId);
		const after = await invocations(runId);
		expect(after[1].started_at!.getTime() - one.started_at!.getTime()).toBeGreaterThanOrEqual(3000);
	});

	test('a feed room whose store fails is loaded afresh: the run goes on and its later cards reach the feed', async () => {
		const store = new FlakyStore(db);
		const errors: string[] = [];
		const { engine, rooms } = boot({ log: { error: (message: string) => errors.push(message) } }, store);
		const id = await network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 20 } }, rooms);
		const { runId } = await engine.start(id, input, userId);
		await cards(engine.events, runId, 2);

		store.failing = true;
		await store.nextFailure();
		store.failing = false;
		const later = await cards(engine.events, runId, 3);
		expect(engine.activeRun(id)?.runId).toBe(runId); // the run went on
		await engine.stop(runId);
		expect(errors).toContain(`[engine] feed of ${id}: write failed`);

		// What a viewer loads now: the store's rows, through a fresh room.
		await rooms.close();
		const { rooms: fresh } = boot();
		const feed = await fresh.withRoom(`${id}/feed`, (room) =>
			room.read((doc) => ({ seqs: cardsOf(doc).toArray().map((c) => c.seq), run: runMapOf(doc).toJSON() }))
		);
		expect(feed.seqs).toEqual(expect.arrayContaining(later));
		expect(feed.run).toMatchObject({ runId, status: 'stopped', stopCause: 'stopped' });
	});
});
