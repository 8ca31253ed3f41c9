import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPanic, type Panic } from '../../server/app';
import { configFromEnv } from '../../server/config';
import type { Atlas } from '../../server/shared/atlas';
import { backends, type TestDatabase } from '../helpers/databases';
import { loopGraph } from '../helpers/graphs';

/**
 * The browser's experiments in the domain (issue 16), with the real engine on both databases:
 * an experiment on an existing network makes its runs through the CLI's runner with the
 * experiment's budget, records progress and results, refuses a second one on the network and
 * a start over someone's run, cancels, and is not left "running" by a restart.
 */

const user = (id: string) => ({ id, email: `${id}@example.org`, is_admin: false, created_at: new Date(), display_name: null });
const owner = user('owner');
const viewer = user('viewer');
const stranger = user('stranger');
/** Owns the concurrency tests' networks: experiment starts are limited per user. */
const laner = user('laner');

describe.each(backends())('experiments from the browser on $name', (backend) => {
	let t: TestDatabase;
	let dataDir: string;
	let panic: Panic;

	const config = () => configFromEnv({ PANIC_DATA_DIR: dataDir, PANIC_DUMMY_MODELS: '1' });

	beforeAll(async () => {
		t = await backend.open();
		for (const u of [owner, viewer, stranger, laner]) await t.db.insertInto('users').values({ id: u.id, email: u.email, password_hash: 'x' }).execute();
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-experiments-'));
		panic = await createPanic(config(), { db: t.db, resume: false });
	});
	afterAll(async () => {
		await panic?.close();
		await t?.close();
		if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
	});

	async function network(name: string, first = 'dummy/echo', second = 'dummy/upper', params?: Record<string, unknown>, who = owner) {
		const { id } = await panic.createNetwork(who, name);
		await panic.graphs.put(id, who, loopGraph(first, second, params));
		return id;
	}

	/** Resolves once the experiment, read after one of its change events, satisfies `done`. */
	function when(id: string, done: (e: Awaited<ReturnType<Panic['experiments']['get']>>) => boolean, who = owner) {
		return new Promise<Awaited<ReturnType<Panic['experiments']['get']>>>((resolve, reject) => {
			const check = async () => {
				const e = await panic.experiments.get(id, who);
				if (done(e)) {
					panic.experiments.events.off('changed', onChanged);
					resolve(e);
				}
			};
			const onChanged = (changed: string) => void (changed === id && check().catch(reject));
			panic.experiments.events.on('changed', onChanged);
			void check().catch(reject);
		});
	}

	test('prompts × runs × steps on an existing network, through the engine with the experiment’s budget, with progress and results', async () => {
		const id = await network('Echo loop');
		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 5000 } } });
		const changes: string[] = [];
		panic.experiments.events.on('changed', (e) => changes.push(e));
		const started = await panic.experiments.start(id, owner, { prompts: ['red circle', 'blue square', 'green tree'], runs: 2, steps: 5 });
		expect(started).toMatchObject({ status: 'running', runsTotal: 6, stepsTotal: 30, runsDone: 0 });
		await panic.experiments.settled(started.id);

		// A viewer of the network reads it, and may not start one.
		await t.db.insertInto('network_members').values({ network_id: id, user_id: viewer.id, role: 'viewer', created_at: new Date() }).execute();
		await expect(panic.experiments.start(id, viewer, { prompts: ['x'], runs: 1, steps: 1 })).rejects.toMatchObject({ status: 403 });
		const done = await panic.experiments.get(started.id, viewer);
		expect(done).toMatchObject({ status: 'done', reason: null, runsDone: 6, stepsDone: 30, networkName: 'Echo loop' });
		expect(done.finishedAt).not.toBeNull();
		expect(done.runs.map((r) => [r.prompt, r.run, r.status, r.steps])).toEqual([
			['red circle', 1, 'stopped', 5],
			['red circle', 2, 'stopped', 5],
			['blue square', 1, 'stopped', 5],
			['blue square', 2, 'stopped', 5],
			['green tree', 1, 'stopped', 5],
			['green tree', 2, 'stopped', 5]
		]);
		expect(done.runs.every((r) => r.stopCause === 'budget')).toBe(true);
		expect(new Set(done.runs.map((r) => r.runId)).size).toBe(6);
		// The CLI's result format: one summary row per prompt, with the run ids.
		expect(done.summary.map((s) => [s.prompt, s.runs, s.runIds.length])).toEqual([
			['red circle', 2, 2],
			['blue square', 2, 2],
			['green tree', 2, 2]
		]);
		expect(done.results).toHaveLength(6);
		expect(done.results[0]).toMatchObject({ network: { id, name: 'Echo loop' }, prompt: 'red circle', run: 1, steps: 5 });
		// Each run followed the experiment's settings; the network keeps its own.
		const run = await panic.runReader.get(done.runs[0].runId);
		expect(run!.settings).toMatchObject({ pacing: { fixedMs: 0 }, stopOnFixedPoint: false, budgets: { maxInvocations: 5 } });
		const stored = await panic.networks.runInfo(id);
		expect(stored!.settings).toMatchObject({ pacing: { fixedMs: 5000 } });
		expect(changes.filter((c) => c === started.id).length).toBeGreaterThanOrEqual(12); // each start and end at least
		expect(await panic.experiments.list(id, owner)).toMatchObject([{ id: started.id, status: 'done' }]);
	});

	test('one experiment per network, none over a run someone has going, editors only', async () => {
		const id = await network('Slow loop', 'dummy/slow', 'dummy/slow', { ms: 60_000 });
		await expect(panic.experiments.start(id, stranger, { prompts: ['x'], runs: 1, steps: 3 })).rejects.toMatchObject({ status: 404 });
		const { runId } = await panic.engine.start(id, { kind: 'text', text: 'by hand' }, owner.id);
		await expect(panic.experiments.start(id, owner, { prompts: ['x'], runs: 1, steps: 3 })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/A run is going/) });
		await panic.engine.stop(runId);

		const first = await panic.experiments.start(id, owner, { prompts: ['one', 'two'], runs: 1, steps: 3 });
		await when(first.id, (e) => e.runs.length === 1);
		await expect(panic.experiments.start(id, owner, { prompts: ['x'], runs: 1, steps: 3 })).rejects.toMatchObject({ status: 409 });
		expect((await panic.experiments.list(id, owner)).filter((e) => e.status === 'running')).toHaveLength(1);
		// A facilitator changing the network's settings mid-experiment leaves the experiment's run its budget.
		await panic.updateNetwork(id, owner, { settings: { pacing: { fixedMs: 1000 }, budgets: { maxInvocations: null } } });
		const run = await panic.runReader.get((await panic.experiments.get(first.id, owner)).runs[0].runId);
		expect(run!.settings).toMatchObject({ pacing: { fixedMs: 0 }, budgets: { maxInvocations: 3 } });
		await panic.experiments.cancel(first.id, owner);
		await panic.experiments.settled(first.id);
	});

	test('cancel stops the run in flight and starts no more', async () => {
		const id = await network('Slow loop 2', 'dummy/slow', 'dummy/slow', { ms: 60_000 });
		const experiment = await panic.experiments.start(id, owner, { prompts: ['one', 'two', 'three'], runs: 1, steps: 4 });
		const going = await when(experiment.id, (e) => e.runs.length === 1);
		const cancelled = await panic.experiments.cancel(experiment.id, owner);
		expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'Cancelled by owner@example.org.' });
		await panic.experiments.settled(experiment.id);
		const after = await panic.experiments.get(experiment.id, owner);
		expect(after.status).toBe('cancelled');
		expect(after.runs).toHaveLength(1);
		expect(after.runs[0]).toMatchObject({ runId: going.runs[0].runId, status: 'stopped', stopCause: 'stopped' });
		expect((await panic.runReader.get(going.runs[0].runId))!.status).toBe('stopped');
		expect(panic.engine.activeRun(id)).toBeNull();
		await expect(panic.experiments.cancel(experiment.id, owner)).rejects.toMatchObject({ status: 409 });
	});

	const PAINT_PROMPTS = ['a red circle', 'a blue square in the rain', 'a green triangle at night', 'the sea at dawn', 'two yellow stars', 'a purple house'];

	/** A paint ↔ caption experiment over PAINT_PROMPTS, `concurrency` runs at once, to its end. */
	async function paintExperiment(concurrency: number) {
		const id = await network(`Paint loop ×${concurrency}`, 'local/paint', 'local/caption', undefined, laner);
		const started = await panic.experiments.start(id, laner, { prompts: PAINT_PROMPTS, runs: 1, steps: 8, concurrency });
		expect(started).toMatchObject({ concurrency, runsTotal: 6 });
		await panic.experiments.settled(started.id);
		const done = await panic.experiments.get(started.id, laner);
		const rows = await t.db.selectFrom('runs').select(['id', 'lane', 'started_at', 'ended_at']).where('network_id', '=', id).execute();
		return { id, done, rows };
	}

	/** The most runs that were going at the same instant. */
	const mostAtOnce = (rows: Array<{ started_at: Date; ended_at: Date | null }>) =>
		Math.max(...rows.map((r) => rows.filter((o) => o.started_at <= r.started_at && r.started_at < o.ended_at!).length));

	test('concurrency 3: six runs three at a time on three lanes, results in plan order, and the same atlas as one at a time', async () => {
		const three = await paintExperiment(3);
		expect(three.done).toMatchObject({ status: 'done', reason: null, concurrency: 3, runsDone: 6, stepsDone: 48 });
		expect(three.done.runs.map((r) => [r.seq, r.prompt, r.status, r.stopCause, r.steps])).toEqual(PAINT_PROMPTS.map((p, i) => [i, p, 'stopped', 'budget', 8]));
		expect(three.done.results.map((r) => r.prompt)).toEqual(PAINT_PROMPTS);
		expect(new Set(three.rows.map((r) => r.lane))).toEqual(new Set([0, 1, 2]));
		// The runs list says which lane each run took.
		const listed = await panic.runs.list(three.id, laner);
		expect(Object.fromEntries(listed.map((r) => [r.id, r.lane]))).toEqual(Object.fromEntries(three.rows.map((r) => [r.id, r.lane])));
		expect(mostAtOnce(three.rows)).toBeGreaterThanOrEqual(2);
		expect(mostAtOnce(three.rows)).toBeLessThanOrEqual(3);

		const one = await paintExperiment(1);
		expect(one.done).toMatchObject({ status: 'done', concurrency: 1, runsDone: 6 });
		expect(new Set(one.rows.map((r) => r.lane))).toEqual(new Set([0]));
		expect(mostAtOnce(one.rows)).toBe(1);

		// Reproducible across concurrency: built-in models are deterministic, so the atlas is the same, run ids apart.
		const atlasOf = async (e: typeof one) => withoutRunIds(await panic.atlas.forRuns(e.id, (await panic.experiments.finishedRuns(e.done.id, laner)).runIds));
		expect(await atlasOf(three)).toEqual(await atlasOf(one));
	}, 120_000);

	test('cancel with concurrency 3 stops every lane’s run', async () => {
		const id = await network('Slow loop ×3', 'dummy/slow', 'dummy/slow', { ms: 60_000 }, laner);
		const experiment = await panic.experiments.start(id, laner, { prompts: ['one', 'two', 'three', 'four', 'five'], runs: 1, steps: 4, concurrency: 3 });
		const going = await when(experiment.id, (e) => e.runs.length === 3, laner);
		await panic.experiments.cancel(experiment.id, laner);
		await panic.experiments.settled(experiment.id);
		const after = await panic.experiments.get(experiment.id, laner);
		expect(after.status).toBe('cancelled');
		expect(after.runs.map((r) => r.runId).sort()).toEqual(going.runs.map((r) => r.runId).sort());
		for (const run of going.runs) expect((await panic.runReader.get(run.runId))!.status).toBe('stopped');
		expect(await panic.runReader.runningAmong([id])).toEqual([]);
	});

	test('a canvas run replacing lane 0 fails the experiment, and its other lanes stop too', async () => {
		const id = await network('Slow loop ×2', 'dummy/slow', 'dummy/slow', { ms: 60_000 }, laner);
		const experiment = await panic.experiments.start(id, laner, { prompts: ['one', 'two', 'three'], runs: 1, steps: 4, concurrency: 2 });
		const going = await when(experiment.id, (e) => e.runs.length === 2, laner);
		const { runId: canvas } = await panic.engine.start(id, { kind: 'text', text: 'by hand' }, laner.id);
		await panic.experiments.settled(experiment.id);
		const after = await panic.experiments.get(experiment.id, laner);
		expect(after).toMatchObject({ status: 'failed', reason: expect.stringMatching(/replaced the experiment’s run/) });
		expect(after.runs).toHaveLength(2);
		const causes = await Promise.all(going.runs.map(async (r) => (await panic.runReader.get(r.runId))!.stopCause));
		expect(causes.sort()).toEqual(['replaced', 'stopped']);
		// The canvas run goes on: it is the one running run of the network.
		expect(await panic.runReader.runningAmong([id])).toEqual([{ networkId: id, lane: 0 }]);
		expect(panic.engine.activeRun(id)?.runId).toBe(canvas);
		await panic.engine.stop(canvas);
	});

	test('concurrency beyond the owner’s run limit is refused up front, saying why', async () => {
		const id = await network('Limited', undefined, undefined, undefined, laner);
		// The default limit is 4 runs at once per owner: two going elsewhere leave room for two.
		const others = await Promise.all([network('Other 1', 'dummy/slow', 'dummy/slow', { ms: 60_000 }, laner), network('Other 2', 'dummy/slow', 'dummy/slow', { ms: 60_000 }, laner)]);
		const runs = await Promise.all(others.map((other) => panic.engine.start(other, { kind: 'text', text: 'x' }, laner.id)));
		await expect(panic.experiments.start(id, laner, { prompts: ['x'], runs: 1, steps: 1, concurrency: 3 })).rejects.toMatchObject({
			status: 429,
			message: expect.stringMatching(/has 2 runs going and may run 4 at once: 3 runs at once would pass that.*lower the concurrency to 2/)
		});
		expect(await panic.experiments.list(id, laner)).toEqual([]);
		for (const { runId } of runs) await panic.engine.stop(runId);
	});

	test('deleting the network ends its experiment: no run starts after', async () => {
		const id = await network('Slow loop 3', 'dummy/slow', 'dummy/slow', { ms: 60_000 });
		const experiment = await panic.experiments.start(id, owner, { prompts: ['one', 'two', 'three'], runs: 1, steps: 4 });
		const going = await when(experiment.id, (e) => e.runs.length === 1);
		await panic.deleteNetwork(id, owner);
		await panic.experiments.settled(experiment.id);
		expect(panic.experiments.driving).toBe(0);
		await expect(panic.experiments.get(experiment.id, owner)).rejects.toMatchObject({ status: 404 });
		expect(await panic.runReader.get(going.runs[0].runId)).toBeFalsy();
		expect(await t.db.selectFrom('runs').select('id').where('network_id', '=', id).execute()).toEqual([]);
	});

	test('starts are limited per user; refusals do not count', async () => {
		const rusher = user('rusher');
		await t.db.insertInto('users').values({ id: rusher.id, email: rusher.email, password_hash: 'x' }).execute();
		const { id } = await panic.createNetwork(rusher, 'Rushed');
		await panic.graphs.put(id, rusher, loopGraph('dummy/slow', 'dummy/slow', { ms: 60_000 }));
		const once = async () => {
			// Refused while a run is going: not counted.
			const { runId } = await panic.engine.start(id, { kind: 'text', text: 'by hand' }, rusher.id);
			await expect(panic.experiments.start(id, rusher, { prompts: ['go'], runs: 1, steps: 2 })).rejects.toMatchObject({ status: 409 });
			await panic.engine.stop(runId);
			const e = await panic.experiments.start(id, rusher, { prompts: ['go'], runs: 1, steps: 2 });
			await panic.experiments.cancel(e.id, rusher);
			await panic.experiments.settled(e.id);
		};
		for (let i = 0; i < 5; i++) await once();
		await expect(panic.experiments.start(id, rusher, { prompts: ['go'], runs: 1, steps: 2 })).rejects.toMatchObject({
			status: 429,
			message: expect.stringMatching(/several experiments just now/)
		});
	});

	test('a restart marks an experiment left running failed, saying why, and stops its run', async () => {
		const db = await backend.open();
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-experiments-restart-'));
		try {
			await db.db.insertInto('users').values({ id: owner.id, email: owner.email, password_hash: 'x' }).execute();
			const first = await createPanic(configFromEnv({ PANIC_DATA_DIR: dir, PANIC_DUMMY_MODELS: '1' }), { db: db.db, resume: false });
			const { id } = await first.createNetwork(owner, 'Restarted');
			await first.graphs.put(id, owner, loopGraph('dummy/slow', 'dummy/slow', { ms: 60_000 }));
			const experiment = await first.experiments.start(id, owner, { prompts: ['one', 'two'], runs: 1, steps: 4 });
			await new Promise<void>((resolve) => {
				const check = async () => (await first.experiments.get(experiment.id, owner)).runs.length === 1 && resolve();
				first.experiments.events.on('changed', () => void check());
				void check();
			});
			// A graceful shutdown says so itself.
			await first.close();
			const closed = await db.db.selectFrom('experiments').selectAll().where('id', '=', experiment.id).executeTakeFirstOrThrow();
			expect(closed).toMatchObject({ status: 'failed', reason: expect.stringMatching(/shut down/) });
			// A process that died said nothing: its experiment still reads running, its run too.
			await db.db.updateTable('experiments').set({ status: 'running', reason: null, finished_at: null }).where('id', '=', experiment.id).execute();
			const runId = (await db.db.selectFrom('experiment_runs').select('run_id').where('experiment_id', '=', experiment.id).executeTakeFirstOrThrow()).run_id;
			await db.db.updateTable('runs').set({ status: 'running', stop_cause: null, ended_at: null }).where('id', '=', runId).execute();

			const second = await createPanic(configFromEnv({ PANIC_DATA_DIR: dir, PANIC_DUMMY_MODELS: '1' }), { db: db.db, resume: true });
			try {
				const after = await second.experiments.get(experiment.id, owner);
				expect(after).toMatchObject({ status: 'failed', reason: expect.stringMatching(/restarted/) });
				// Stopped, or ended by itself as it resumed (its work was cancelled on the way down).
				expect((await second.runReader.get(runId))!.status).not.toBe('running');
				expect(second.engine.activeRun(id)).toBeNull();
				// The network is free for the next one.
				const next = await second.experiments.start(id, owner, { prompts: ['again'], runs: 1, steps: 1 });
				await second.experiments.cancel(next.id, owner);
				await second.experiments.settled(next.id);
			} finally {
				await second.close();
			}
		} finally {
			await db.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

/** The atlas with every run id replaced by the prompt it was started with (ids are all that may differ). */
function withoutRunIds(atlas: Atlas): unknown {
	const promptOf = new Map(atlas.runList.map((r) => [r.runId, r.prompt]));
	return JSON.parse(JSON.stringify(atlas, (key, value) => (key === 'runId' ? promptOf.get(value) : key === 'runIds' ? value.map((id: string) => promptOf.get(id)) : value)));
}
