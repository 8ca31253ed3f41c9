/**
 * Run lanes (issue 16): an experiment runs several runs of one network at once, each on its own
 * lane. Lane 0 is the network's own run (its feed, its activeRun); other lanes run beside it
 * without replacing it or showing on its feed, each is replaced only by a start on the same
 * lane, a network's deletion ends them all, and each counts as a run under the owner's limit.
 */
import { describe, expect, test } from 'vitest';
import { AppError } from '../../server/errors';
import type { RunEndedEvent } from '../../server/engine/events';
import { cardsOf } from '../../server/engine/feed';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

describe.each(backends())('run lanes on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, run } = bed;
	const input = (text: string) => ({ kind: 'text' as const, text });
	/**
	 * A loop slow enough that two runs of it overlap, ending at a budget of six steps (1.2 s:
	 * at 25 ms a step, a loaded machine ended lane 0's run before lane 1's start returned).
	 */
	const slowLoop = () => loopGraph('dummy/slow', 'dummy/slow', { ms: 200 });
	const budget = { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 6 } };

	test('runs on lanes 0 and 1 of one network go at the same time, each to its budget; the feed and activeRun show lane 0 alone', async () => {
		const { engine, rooms } = boot();
		const id = await network(slowLoop(), budget, rooms);
		const ended = new Map<string, RunEndedEvent>();
		let bothEnded!: () => void;
		const both = new Promise<void>((resolve) => (bothEnded = resolve));
		engine.events.on('ended', (e) => {
			ended.set(e.runId, e);
			if (ended.size === 2) bothEnded();
		});
		const cardLanes = new Set<number | undefined>();
		engine.events.on('card', (e) => e.networkId === id && cardLanes.add(e.lane));

		const own = await engine.start(id, input('own'), bed.userId);
		const extra = await engine.start(id, input('extra'), bed.userId, { lane: 1 });
		expect(engine.activeRun(id)?.runId).toBe(own.runId);
		await both;

		const [a, b] = [await run(own.runId), await run(extra.runId)];
		expect([a.lane, b.lane]).toEqual([0, 1]);
		expect([a.stop_cause, b.stop_cause]).toEqual(['budget', 'budget']);
		expect([ended.get(own.runId)!.completedSteps, ended.get(extra.runId)!.completedSteps]).toEqual([6, 6]);
		expect([ended.get(own.runId)!.lane, ended.get(extra.runId)!.lane]).toEqual([0, 1]);
		// At the same time: each started before the other ended.
		expect(a.started_at.getTime()).toBeLessThan(b.ended_at!.getTime());
		expect(b.started_at.getTime()).toBeLessThan(a.ended_at!.getTime());
		expect(cardLanes).toEqual(new Set([0, 1]));

		// The network's feed holds lane 0's run and cards only.
		const feed = await rooms.withRoom(`${id}/feed`, (room) => room.read((doc) => ({ cards: cardsOf(doc).toArray(), run: doc.getMap('run').toJSON() })));
		expect(feed.run).toMatchObject({ runId: own.runId, status: 'stopped', stopCause: 'budget' });
		expect(feed.cards).toHaveLength(6);
		expect(feed.cards.every((c) => c.runId === own.runId)).toBe(true);
	});

	test('a start on lane 1 replaces lane 1’s run only; lane 1 alone is no network run; stopNetwork ends every lane', async () => {
		const { engine, rooms } = boot();
		const id = await network(loopGraph('dummy/slow', 'dummy/slow', { ms: 60_000 }), { pacing: { fixedMs: 0 } }, rooms);
		const extra = await engine.start(id, input('first extra'), bed.userId, { lane: 1 });
		// Lane 1 running, lane 0 not: the network has no run of its own, its feed shows none.
		expect(engine.activeRun(id)).toBeNull();
		expect(engine.lockoutSeconds(id)).toBe(0);
		expect(await bed.feedRun(rooms, id)).toEqual({});

		const own = await engine.start(id, input('own'), bed.userId);
		const again = await engine.start(id, input('second extra'), bed.userId, { lane: 1 });
		expect(await run(extra.runId)).toMatchObject({ status: 'stopped', stop_cause: 'replaced' });
		expect(await run(own.runId)).toMatchObject({ status: 'running', lane: 0 });
		expect(await run(again.runId)).toMatchObject({ status: 'running', lane: 1 });
		expect(engine.activeRun(id)?.runId).toBe(own.runId);

		// A canvas start replaces lane 0 only.
		const canvas = await engine.start(id, input('canvas'), bed.userId);
		expect(await run(own.runId)).toMatchObject({ status: 'stopped', stop_cause: 'replaced' });
		expect(await run(again.runId)).toMatchObject({ status: 'running' });

		await engine.stopNetwork(id);
		for (const runId of [canvas.runId, again.runId]) expect(await run(runId)).toMatchObject({ status: 'stopped', stop_cause: 'stopped' });
		expect(engine.activeRun(id)).toBeNull();
		const running = await bed.db.selectFrom('runs').select('id').where('network_id', '=', id).where('status', '=', 'running').execute();
		expect(running).toEqual([]);

		await expect(engine.start(id, input('x'), bed.userId, { lane: -1 })).rejects.toMatchObject({ status: 400 });
	});

	test('after a crash, a restarted process resumes each lane’s run on its own lane: lane 1 beside lane 0, to its budget', async () => {
		const first = boot();
		const id = await network(slowLoop(), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 12 } }, first.rooms);
		const own = await first.engine.start(id, input('own'), bed.userId);
		const extra = await first.engine.start(id, input('extra'), bed.userId, { lane: 1 });
		const completed = async (runId: string) => (await bed.invocations(runId)).filter((r) => r.state === 'completed').length;
		await until('both lanes to make progress', async () => (await completed(own.runId)) >= 2 && (await completed(extra.runId)) >= 2);
		// A crash: the process stops without recording anything about its runs.
		await first.engine.close();
		await first.rooms.close();
		expect([(await run(own.runId)).status, (await run(extra.runId)).status]).toEqual(['running', 'running']);

		const second = boot();
		const ended = new Map<string, RunEndedEvent>();
		second.engine.events.on('ended', (e) => ended.set(e.runId, e));
		expect(await second.engine.resume()).toBeGreaterThanOrEqual(2);
		// Lane 0's run is the network's again; lane 1's runs beside it, not in its place.
		expect(second.engine.activeRun(id)?.runId).toBe(own.runId);
		await until('both resumed runs to end', async () => ended.has(own.runId) && ended.has(extra.runId), 20_000);
		expect(ended.get(extra.runId)).toMatchObject({ lane: 1, cause: 'budget', completedSteps: 12 });
		expect(ended.get(own.runId)).toMatchObject({ lane: 0, cause: 'budget', completedSteps: 12 });
		expect(await run(extra.runId)).toMatchObject({ lane: 1, status: 'stopped', stop_cause: 'budget' });
		const seqs = (await bed.invocations(extra.runId)).map((r) => r.seq);
		expect(seqs).toEqual(seqs.map((_, i) => i + 1));
		// The feed is still lane 0's alone.
		expect(await bed.feedRun(second.rooms, id)).toMatchObject({ runId: own.runId, stopCause: 'budget' });
	});

	test('every lane counts as one run under the owner’s limit; replacing a lane’s run needs no new place', async () => {
		const { engine, rooms } = boot({ limits: { runs: { perOwner: 2, total: 10 } } });
		const id = await network(loopGraph('dummy/slow', 'dummy/slow', { ms: 60_000 }), { pacing: { fixedMs: 0 } }, rooms);
		await engine.start(id, input('lane 0'), bed.userId);
		const one = await engine.start(id, input('lane 1'), bed.userId, { lane: 1 });
		expect(await engine.runPlaces(bed.userId)).toMatchObject({ limits: { perOwner: 2 }, ownerHeld: 2 });
		const refused = await engine.start(id, input('lane 2'), bed.userId, { lane: 2 }).then(
			() => null,
			(e: unknown) => e
		);
		expect(refused).toBeInstanceOf(AppError);
		expect(refused).toMatchObject({ status: 429, details: { limit: 'runs-per-owner', max: 2 } });
		const replaced = await engine.start(id, input('lane 1 again'), bed.userId, { lane: 1 });
		expect(await run(one.runId)).toMatchObject({ stop_cause: 'replaced' });
		expect(await run(replaced.runId)).toMatchObject({ status: 'running' });
		await engine.stopNetwork(id);
		expect(await engine.runPlaces(bed.userId)).toMatchObject({ ownerHeld: 0 });
	});
});
