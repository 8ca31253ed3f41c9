import { beforeAll, describe, expect, test } from 'vitest';
import { analyzeRun } from '../../server/analysis/run-analysis';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import { RunReader } from '../../server/engine/run-reader';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms, type Platform } from '../../server/platforms/platform';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { sleep } from '../helpers/wait';

/** A scripted OpenAI stand-in whose embeddings are the text's length and vowel count. */
const fakeOpenAI: Platform = {
	id: 'openai',
	needsKey: true,
	async invoke() {
		throw new Error('not here');
	},
	async embed(_info, input) {
		const t = input.kind === 'text' ? input.text : '';
		return { vector: [t.length, (t.match(/[aeiou]/g) ?? []).length, 1] };
	}
};

describe.each(backends())('loop analysis on $name', ({ open }) => {
	const bed = engineBed(open);
	let db: Db;
	let userId: string;
	beforeAll(() => ({ db, userId } = bed));
	/** What the analysis reads runs and owners through. */
	const readers = () => ({ db, runs: new RunReader(db), networks: new Networks(db) });

	async function paintCaptionRun(settings: object) {
		const assets = new FsAssetStore(bed.assetsDir);
		const { engine, rooms } = bed.boot({ catalogue: Catalogue.builtIn(), assets });
		const networkId = await bed.network(
			{
				nodes: [
					{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
					{ id: 'caption', modelId: 'local/caption', x: 100, y: 0 }
				],
				edges: [
					{ id: 'pc', source: 'paint', target: 'caption' },
					{ id: 'cp', source: 'caption', target: 'paint' }
				],
				startNodeId: 'paint'
			},
			settings,
			rooms
		);
		const { runId } = await engine.start(networkId, { kind: 'text', text: 'a dream of the sea at dawn' }, userId);
		const deadline = Date.now() + 20_000;
		while (engine.activeRun(networkId)) {
			if (Date.now() > deadline) throw new Error('run did not end');
			await sleep(10);
		}
		// The engine forgets the run before it writes the stop to the feed: wait for that too.
		const readFeed = () => bed.feedRun(rooms, networkId);
		let feed = await readFeed();
		while (!feed.stopCause) {
			if (Date.now() > deadline) throw new Error('stop never reached the feed');
			await sleep(10);
			feed = await readFeed();
		}
		return { runId, feed, assets };
	}

	/** The first exact repeat recomputed by hand from the stored rows: per node, the last index of each hash. */
	async function expectedRepeat(runId: string) {
		const rows = await db.selectFrom('invocations').selectAll().where('run_id', '=', runId).where('state', '=', 'completed').orderBy('seq').execute();
		const seen = new Map<string, string[]>();
		for (const [i, row] of rows.entries()) {
			expect(row.exact_hash).toMatch(/^[0-9a-f]{64}$/);
			const history = seen.get(row.node_id) ?? [];
			const earlier = history.lastIndexOf(row.exact_hash!);
			if (earlier >= 0) return { period: history.length - earlier, step: i + 1, seq: row.seq, nodeId: row.node_id, rows };
			history.push(row.exact_hash!);
			seen.set(row.node_id, history);
		}
		return { period: null, step: null, seq: null, nodeId: null, rows };
	}

	test('a paint ↔ caption loop that repeats a caption is a fixed point, live and in the analysis', async () => {
		const { runId, feed, assets } = await paintCaptionRun({ pacing: { fixedMs: 0 }, stopOnFixedPoint: false, budgets: { maxInvocations: 30 } });
		const expected = await expectedRepeat(runId);
		expect(expected.period).not.toBeNull();
		const kind = expected.period === 1 ? 'fixed_point' : 'cycle';
		const label = expected.period === 1 ? 'Fixed point' : 'Cycle';
		expect(feed.analysis).toEqual({
			kind,
			period: expected.period,
			step: expected.step,
			seq: expected.seq,
			nodeId: expected.nodeId,
			message: `${label} of period ${expected.period} reached at step ${expected.step}`
		});
		expect(feed.stopCause).toBe('budget');

		const t0 = performance.now();
		const analysis = await analyzeRun({ ...readers(), assets }, runId);
		const firstMs = performance.now() - t0;
		const t1 = performance.now();
		const again = await analyzeRun({ ...readers(), assets }, runId);
		const cachedMs = performance.now() - t1;
		console.log(`[analysis] ${analysis.steps} steps: first ${firstMs.toFixed(1)} ms, cached ${cachedMs.toFixed(1)} ms`);
		expect(again).toEqual(analysis);
		expect(analysis.steps).toBe(expected.rows.length);
		expect(analysis.fixedPoint).toEqual(feed.analysis);
		expect(analysis.embedder).toBe('local/text-ngrams');
		expect(analysis.drift.map((d) => d.seq)).toEqual(expected.rows.map((r) => r.seq));
		expect(analysis.drift[0]).toMatchObject({ step: 1, nodeId: 'paint', kind: 'image', toInput: null, toPrevious: null });
		expect(analysis.drift[1]).toMatchObject({ step: 2, nodeId: 'caption', kind: 'text', toPrevious: null });
		expect(analysis.drift[1].toInput).toBeGreaterThan(0);
		expect(analysis.recurrence.seqs).toHaveLength(expected.rows.length);
		expect(analysis.recurrence.matrix[0][1]).toBeNull(); // image against text
		expect(analysis.recurrence.matrix[1][1]).toBe(1);
		expect(analysis.cycles.some((c) => c.nodeId === expected.nodeId && c.period === expected.period && c.toStep >= expected.step!)).toBe(true);
		expect(analysis.clusters[0].size).toBeGreaterThan(1);
		expect(analysis.clusters[0].seqs).toContain(analysis.clusters[0].representativeSeq);
		expect(analysis.clusters.reduce((n, c) => n + c.size, 0)).toBe(expected.rows.length);
		expect((await analyzeRun({ ...readers(), assets }, runId, { maxPoints: 5 })).recurrence.seqs).toHaveLength(5);
		const cached = await db.selectFrom('output_fingerprints').select('embedder').where('invocation_id', '=', expected.rows[0].id).execute();
		expect(cached.map((c) => c.embedder)).toEqual(['local/image-features']);
	});

	test('a 100-step run is analysed, its fingerprints stored once and found again by a second analysis', async () => {
		const { runId, assets } = await paintCaptionRun({ pacing: { fixedMs: 0 }, budgets: { maxInvocations: 100 } });
		const stored = async () => (await db.selectFrom('output_fingerprints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
		const before = Number(await stored());
		const t0 = performance.now();
		const first = await analyzeRun({ ...readers(), assets }, runId);
		const firstMs = performance.now() - t0;
		const afterFirst = Number(await stored());
		const t1 = performance.now();
		const again = await analyzeRun({ ...readers(), assets }, runId);
		const cachedMs = performance.now() - t1;
		// Timings are for the eye (bench:atlas and the run page measure speed), not asserted.
		console.log(`[analysis] ${first.steps} steps: first ${firstMs.toFixed(1)} ms, cached ${cachedMs.toFixed(1)} ms`);
		expect(first.steps).toBe(100);
		expect(afterFirst).toBeGreaterThan(before);
		expect(Number(await stored())).toBe(afterFirst);
		expect(again).toEqual(first);
	});

	test('stopOnFixedPoint stops at the first exact repeat, whatever its period', async () => {
		const { runId, feed } = await paintCaptionRun({ pacing: { fixedMs: 0 }, stopOnFixedPoint: true, budgets: { maxInvocations: 30 } });
		const expected = await expectedRepeat(runId);
		expect(feed).toMatchObject({ stopCause: 'fixed_point', step: expected.step, analysis: { step: expected.step, period: expected.period } });
	});

	test('hosted embedders: unknown ids and missing keys are 400s; with a key, vectors are computed and cached', async () => {
		const { runId, assets } = await paintCaptionRun({ pacing: { fixedMs: 0 }, budgets: { maxInvocations: 6 } });
		const platforms = builtInPlatforms([fakeOpenAI]);
		await expect(analyzeRun({ ...readers(), assets, platforms }, runId, { embedder: 'nope/nothing' })).rejects.toMatchObject({ status: 400 });
		await expect(analyzeRun({ ...readers(), assets, platforms, revealKey: async () => null }, runId, { embedder: 'openai/text-embedding-3-small' })).rejects.toMatchObject({
			status: 400,
			message: expect.stringContaining('OpenAI key')
		});
		const analysis = await analyzeRun({ ...readers(), assets, platforms, revealKey: async () => 'sk-test' }, runId, { embedder: 'openai/text-embedding-3-small' });
		expect(analysis.embedder).toBe('openai/text-embedding-3-small');
		const rows = await db.selectFrom('output_fingerprints').selectAll().where('embedder', '=', 'openai/text-embedding-3-small').execute();
		expect(rows.length).toBe(3); // the three captions
		expect(rows[0].vector).toHaveLength(3);
	});
});
