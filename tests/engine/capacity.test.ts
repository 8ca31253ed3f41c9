/**
 * What one process takes on at once: runs per network owner and in all (a start past either
 * is refused with a 429 naming the limit; replacing a network's own run needs no new place;
 * paused runs count; an ended run frees its place and says so), the least step interval for
 * hosted models whatever the pacing, and the step gate that makes unpaced loops take turns.
 */
import { describe, expect, test } from 'vitest';
import { AppError } from '../../server/errors';
import { randomId } from '../../server/ids';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms, type Platform } from '../../server/platforms/platform';
import type { ModelInfo, Payload } from '../../server/shared/platforms/types';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { fanOutLoop, loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

const hosted: ModelInfo = {
	id: 'openai/test-chat',
	platform: 'openai',
	name: 'test chat',
	input: 'text',
	output: 'text',
	description: 'instant',
	homepage: 'https://example.org',
	defaults: {}
};

/** A hosted platform that answers at once (as a fast provider would). */
const instantHosted: Platform = {
	id: 'openai',
	needsKey: false,
	async invoke(_model, input: Payload) {
		return { output: { kind: 'text', text: `${input.kind === 'text' ? input.text : ''}.` } };
	}
};

describe.each(backends())('run capacity on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, invocations, run } = bed;
	const unpaced = { pacing: { fixedMs: 0 } };
	const refusal = (promise: Promise<unknown>) =>
		promise.then(
			() => null,
			(e) => (e instanceof AppError ? { status: e.status, message: e.message, details: e.details } : Promise.reject(e))
		);
	const input = { kind: 'text' as const, text: 'a red circle' };

	async function otherOwner() {
		const id = randomId();
		await bed.db.insertInto('users').values({ id, email: `${id}@example.org`, password_hash: 'x', created_at: new Date() }).execute();
		return id;
	}

	test('an owner may run `perOwner` runs at once; the next start is refused with 429 naming the limit', async () => {
		const ended: string[] = [];
		const { engine, rooms } = boot({ limits: { runs: { perOwner: 2, total: 10 } } });
		engine.events.on('ended', ({ networkId }) => ended.push(networkId));
		const ids = await Promise.all([1, 2, 3].map(() => network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 50 } }, rooms)));
		const [a, b] = await Promise.all(ids.slice(0, 2).map((id) => engine.start(id, input, bed.userId)));
		const refused = await refusal(engine.start(ids[2], input, bed.userId));
		expect(refused).toMatchObject({ status: 429, details: { limit: 'runs-per-owner', max: 2, retryAfterSeconds: expect.any(Number) } });
		expect(refused!.message).toMatch(/owner already has 2 runs going at once/);
		expect(await bed.db.selectFrom('runs').select('id').where('network_id', '=', ids[2]).execute()).toEqual([]);

		// Replacing one of the running networks' own run needs no new place.
		const replaced = await engine.start(ids[0], input, bed.userId);
		expect((await run(a.runId)).stop_cause).toBe('replaced');

		// A paused run still holds its place; a stopped one frees it, and says so.
		await engine.pauseRun(b.runId);
		expect(await refusal(engine.start(ids[2], input, bed.userId))).toMatchObject({ status: 429 });
		await engine.stop(b.runId);
		expect(ended).toContain(ids[1]);
		const third = await engine.start(ids[2], input, bed.userId);
		expect((await run(third.runId)).status).toBe('running');
		await engine.stop(replaced.runId);
		await engine.stop(third.runId);
	});

	test('the process-wide limit counts every owner; starts at once cannot slip past it', async () => {
		const { engine, rooms } = boot({ limits: { runs: { perOwner: 10, total: 3 } } });
		const owners = [bed.userId, await otherOwner()];
		const ids: string[] = [];
		for (let i = 0; i < 6; i++) {
			const id = await network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 50 } }, rooms);
			await bed.db.updateTable('networks').set({ owner_id: owners[i % 2] }).where('id', '=', id).execute();
			ids.push(id);
		}
		const results = await Promise.all(ids.map((id) => refusal(engine.start(id, input, null))));
		expect(results.filter((r) => r === null)).toHaveLength(3);
		const refused = results.filter((r) => r !== null);
		expect(refused).toHaveLength(3);
		for (const r of refused) expect(r).toMatchObject({ status: 429, details: { limit: 'runs-total', max: 3 } });
		expect(refused[0]!.message).toMatch(/server is already running 3 runs at once/);
		for (const id of ids) await engine.stopNetwork(id);
	});

	test('hosted models step no sooner than the floor after the step before, whatever the pacing; built-in ones are spared', async () => {
		const catalogue = new Catalogue([...Catalogue.builtIn({ dummyModels: true }).list(), hosted]);
		const { engine, rooms } = boot({ catalogue, platforms: builtInPlatforms([instantHosted]), limits: { hostedStepFloorMs: 150 } });
		const id = await network(loopGraph('dummy/echo', hosted.id), unpaced, rooms);
		const { runId } = await engine.start(id, input, bed.userId);
		await until('six steps', async () => (await invocations(runId)).filter((i) => i.state === 'completed').length >= 6, 10_000);
		await engine.stop(runId);
		const rows = (await invocations(runId)).filter((i) => i.started_at);
		for (let i = 1; i < rows.length; i++) {
			const gap = rows[i].started_at!.getTime() - rows[i - 1].started_at!.getTime();
			// Each hosted step waits out the floor; each built-in step may follow at once. The floor
			// counts from the engine's clock at a start, `started_at` is stamped a few ms later when
			// the row is written, so a gap may read up to that much short (CI saw 148 for 150).
			if (rows[i].model_id === hosted.id) expect(gap).toBeGreaterThanOrEqual(145);
			else expect(gap).toBeLessThan(140);
		}
	});

	test('with the step gate, unpaced fan-out loops of built-in models all progress, taking turns', async () => {
		const { engine, rooms } = boot({ limits: { stepsAtOnce: 1 } });
		const fan = fanOutLoop('local/paint', 'local/caption', 2);
		const ids = await Promise.all([1, 2, 3].map(() => network(fan, { ...unpaced, maxConcurrent: 32, pendingCap: 1000 }, rooms)));
		const runIds: string[] = [];
		for (const id of ids) runIds.push((await engine.start(id, input, bed.userId)).runId);
		const done = async (runId: string) => (await invocations(runId)).filter((i) => i.state === 'completed').length;
		await until('every run made progress', async () => (await Promise.all(runIds.map(done))).every((n) => n >= 8), 20_000);
		for (const id of ids) await engine.stopNetwork(id);
	});
});
