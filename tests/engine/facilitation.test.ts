import { beforeAll, describe, expect, test } from 'vitest';
import { backends } from '../helpers/databases';
import { sleep, until } from '../helpers/wait';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

/**
 * Facilitator controls in the engine (issue 6): pausing a run and resuming it. Pacing a run
 * live goes through the network's settings: tests/db/network-events.test.ts changes them as
 * the API does and watches the run follow.
 */

describe.each(backends())('facilitator controls on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, invocations, run, feedRun } = bed;
	let userId: string;
	beforeAll(() => ({ userId } = bed));

	const loop = loopGraph;

	const count = async (runId: string, what: (r: Awaited<ReturnType<typeof invocations>>[number]) => boolean) =>
		(await invocations(runId)).filter(what).length;
	const startedCount = (runId: string) => count(runId, (r) => r.started_at !== null);
	const completedCount = (runId: string) => count(runId, (r) => r.state === 'completed');
	const runningCount = (runId: string) => count(runId, (r) => r.state === 'running');

	test('a pause starts nothing new, lets running calls finish and fan out; resume goes on with contiguous seqs', async () => {
		const { engine, rooms } = boot();
		const pacingMs = 30;
		const id = await network(loop('dummy/slow', 'dummy/slow', { ms: 60 }), { pacing: { fixedMs: pacingMs } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'hold on' }, userId);
		await until('progress with one call in flight', async () => (await completedCount(runId)) >= 2 && (await runningCount(runId)) >= 1);

		const paused = await engine.pauseRun(runId);
		expect(paused).toMatchObject({ id: runId, status: 'running', pausedAt: expect.any(Date) });
		expect(engine.activeRun(id)?.paused).toBe(true);
		expect(await feedRun(rooms, id)).toMatchObject({ runId, status: 'paused', pausedAt: paused.pausedAt!.toISOString() });
		// Pausing again changes nothing, not even the time it was paused.
		expect((await engine.pauseRun(runId)).pausedAt).toEqual(paused.pausedAt);

		// What was running finishes, is recorded and fans out into the (persisted) queue.
		await until('the running calls to finish', async () => (await runningCount(runId)) === 0);
		const started = await startedCount(runId);
		await sleep(3 * pacingMs + 120);
		expect(await startedCount(runId)).toBe(started);
		const rows = await invocations(runId);
		expect(rows.filter((r) => r.state === 'queued').length).toBeGreaterThan(0);
		expect(rows.filter((r) => r.state === 'cancelled')).toEqual([]);
		expect(rows.every((r) => r.started_at === null || r.started_at.getTime() <= paused.pausedAt!.getTime())).toBe(true);
		expect(await run(runId)).toMatchObject({ status: 'running', paused_at: paused.pausedAt });

		const resumed = await engine.resumeRun(runId);
		expect(resumed).toMatchObject({ status: 'running', pausedAt: null });
		expect(engine.activeRun(id)?.paused).toBe(false);
		expect(await feedRun(rooms, id)).toMatchObject({ runId, status: 'running' });
		expect(await feedRun(rooms, id)).not.toHaveProperty('pausedAt');
		await until('progress after resuming', async () => (await completedCount(runId)) >= rows.filter((r) => r.state === 'completed').length + 3);

		// Stop works while paused, and a paused run still counts for the lockout.
		await engine.pauseRun(runId);
		expect(engine.lockoutSeconds(id)).toBeGreaterThan(0);
		expect(await engine.stop(runId)).toBe(true);
		expect(await run(runId)).toMatchObject({ status: 'stopped', stop_cause: 'stopped', paused_at: null });
		expect(await feedRun(rooms, id)).toMatchObject({ runId, status: 'stopped' });
		expect(await feedRun(rooms, id)).not.toHaveProperty('pausedAt');
		const after = await invocations(runId);
		expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i + 1));
		const parents = after.filter((r) => r.parent_seq !== null).map((r) => r.parent_seq);
		expect(new Set(parents).size).toBe(parents.length); // each completion fanned out once

		// Once it has ended, pausing and resuming are conflicts.
		await expect(engine.pauseRun(runId)).rejects.toMatchObject({ status: 409 });
		await expect(engine.resumeRun(runId)).rejects.toMatchObject({ status: 409 });
		await expect(engine.pauseRun('no-such-run')).rejects.toMatchObject({ status: 404 });
	});

	test('a run paused before a restart comes back paused, and resumes from its queue', async () => {
		const first = boot();
		const id = await network(loop('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 10 } }, first.rooms);
		const { runId } = await first.engine.start(id, { kind: 'text', text: 'again' }, userId);
		await until('progress', async () => (await completedCount(runId)) >= 3);
		await first.engine.pauseRun(runId);
		await until('the running calls to finish', async () => (await runningCount(runId)) === 0);
		await first.engine.close();
		await first.rooms.close();

		const second = boot();
		expect(await second.engine.resume()).toBeGreaterThanOrEqual(1);
		expect(second.engine.activeRun(id)).toMatchObject({ runId, paused: true });
		await until('the feed to show it paused', async () => (await feedRun(second.rooms, id)).status === 'paused');
		expect(await feedRun(second.rooms, id)).toMatchObject({ runId, pausedAt: (await run(runId)).paused_at!.toISOString() });
		// Read after the restart's recovery: a step that started just before the pause can be
		// marked running in the database after the wait above saw none, and the close cut it
		// off; recovery queues it again. From here on, paused, nothing may change.
		const before = await invocations(runId);
		expect(before.filter((r) => r.state === 'running')).toEqual([]);
		await sleep(150);
		expect(await invocations(runId)).toEqual(before);

		await second.engine.resumeRun(runId);
		await until('progress after resuming', async () => (await completedCount(runId)) >= before.filter((r) => r.state === 'completed').length + 3);
		await second.engine.stop(runId);
		const after = await invocations(runId);
		expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i + 1));
	});
});
