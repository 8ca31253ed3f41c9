import { CompiledQuery, createQueryId, sql, type Kysely, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as longRunsMigration from '../../migrations/0015_long_runs';
import { analyzeRun, ANALYSIS_WINDOW } from '../../server/analysis/run-analysis';
import { textHash } from '../../server/analysis/exact-hash';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import type { EngineEventSource } from '../../server/engine/events';
import { RunReader } from '../../server/engine/run-reader';
import { LIVE_DRIFT_POINTS, RunStreams, TAIL } from '../../server/engine/run-streams';
import { RunsService } from '../../server/engine/runs-service';
import { RECOVERED_HISTORY, RunWriter, type ImportedInvocation } from '../../server/engine/run-writer';
import { EventEmitter } from 'node:events';
import { randomId } from '../../server/ids';
import { Networks } from '../../server/networks/networks';
import { createUser } from '../audience/setup';
import { backends, type TestDatabase } from '../helpers/databases';

/**
 * Issue 18: a run's length must not make its page, its live stream or its counters cost more.
 * A run of 20,000 completed invocations is written in one statement, and every
 * query the run page's newest page, the stream's snapshot and the analysis make is watched:
 * the rows they read stay bounded by their windows, and no query over `invocations` goes
 * without a LIMIT or a list of ids (a COUNT or a SUM over the run would be one).
 */
const STEPS = 20_000;

/** Counts the rows queries return, and notes each query over `invocations` that is unbounded. */
class QueryWatch implements KyselyPlugin {
	rows = 0;
	unbounded: string[] = [];
	/** Every query seen since the last reset, for their plans. */
	nodes: RootOperationNode[] = [];
	transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
		this.nodes.push(node);
		const text = JSON.stringify(node);
		const overInvocations = text.includes('"name":"invocations"');
		const bounded = (node.kind === 'SelectQueryNode' && node.limit !== undefined) || picksByKey(node);
		if (node.kind === 'SelectQueryNode' && overInvocations && !bounded) this.unbounded.push(text.slice(0, 300));
		return node;
	}
	async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
		this.rows += result.rows.length;
		return result;
	}
	reset() {
		this.rows = 0;
		this.unbounded = [];
		this.nodes = [];
	}
}

describe.each(backends())('a 20,000-step run stays cheap to look at on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let assetsDir: string;
	let runId: string;
	let owner: Awaited<ReturnType<typeof createUser>>;
	let networkId: string;
	let otherNetworkId: string;
	const watch = new QueryWatch();
	let watched: Db;

	beforeAll(async () => {
		database = await open();
		db = database.db;
		watched = db.withPlugin(watch);
		assetsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-long-runs-'));
		owner = await createUser(db);
		networkId = (await new Networks(db).create(owner, 'long')).id;
		otherNetworkId = (await new Networks(db).create(owner, 'counted')).id;
		runId = await insertRun(db, networkId, owner.id, STEPS);
	}, 180_000);

	afterAll(async () => {
		await database?.close();
		if (assetsDir) fs.rmSync(assetsDir, { recursive: true, force: true });
	});

	test('completions and imports bump the run row’s counters, and the reader answers from them without counting', async () => {
		const writer = new RunWriter(db);
		const { runId: fresh, first } = await writer.create({ networkId: otherNetworkId, startedBy: owner.id, input: { kind: 'text', text: 'in' }, settings: {}, graph: {}, first: { nodeId: 'n0', modelId: 'dummy/echo' } });
		let next = first;
		for (const costUsd of [0.25, undefined, 0.5]) {
			expect(await writer.markRunning(fresh, next.id, 1, new Date())).toBe(true);
			const queued = await writer.complete(fresh, next, { output: { kind: 'text', text: 'x' }, costUsd, at: new Date() }, [{ nodeId: 'n0', modelId: 'dummy/echo' }], { existing: [], arriving: 0 });
			next = queued![0];
		}
		const imported = await writer.importRun(
			{ networkId: otherNetworkId, startedBy: owner.id, input: { kind: 'text', text: 'in' }, status: 'stopped', stopCause: 'stopped', settings: {}, graph: {}, startedAt: new Date(), endedAt: new Date(), error: null },
			[1, 2, 3].map((seq) => ({ ...importedRow(seq), state: seq === 3 ? 'failed' : 'completed', costEstimate: seq === 1 ? 0.125 : null }))
		);
		const reader = new RunReader(watched);
		watch.reset();
		expect(await reader.completedSteps(fresh)).toBe(3);
		expect(await reader.completedSteps(imported)).toBe(2);
		expect(Object.fromEntries(await reader.spend([fresh, imported]))).toEqual({ [fresh]: 0.75, [imported]: 0.125 });
		expect(await reader.networkSpend(otherNetworkId)).toBeCloseTo(0.875, 10);
		expect(await reader.completedSteps(runId)).toBe(STEPS);
		expect(watch.unbounded).toEqual([]);
		// One row per answer: three counts, two runs' spend, one network sum.
		expect(watch.rows).toBe(6);
	});

	test('the run page’s newest page reads a page of rows, not the run', async () => {
		const reader = new RunReader(watched);
		const runs = new RunsService(null as never, new Networks(watched), reader);
		watch.reset();
		const page = await runs.get(runId, owner, { after: STEPS - 100, limit: 100 });
		expect(page.invocations).toHaveLength(100);
		expect(page.invocationCount).toBe(STEPS);
		expect(page.spendUsd).toBeCloseTo(STEPS * 0.01, 6);
		expect(watch.unbounded).toEqual([]);
		expect(watch.rows).toBeLessThan(110);
	});

	test('the stream’s snapshot reads its tail, and the analysis its window, and says which steps it covers', async () => {
		const reader = new RunReader(watched);
		const assets = new FsAssetStore(assetsDir);
		const analyse = (id: string) => analyzeRun({ db: watched, runs: reader, networks: new Networks(watched), assets }, id, { maxPoints: 150 });
		const streams = new RunStreams({
			events: new EventEmitter() as unknown as EngineEventSource,
			networks: null as never,
			admission: null as never,
			reader,
			analyse
		});
		watch.reset();
		const run = (await reader.get(runId))!;
		const stream = await streams.open(run, { userId: owner.id, loginSession: null, basis: 'member' });
		const snapshotRows = watch.rows;
		expect(snapshotRows).toBeLessThanOrEqual(TAIL + 3);
		const text = await readUntil(stream, 'event: analysis');
		await streams.close();
		const analysis = JSON.parse(text.split('event: analysis\ndata: ')[1].split('\n')[0]).analysis;
		expect(analysis.steps).toBe(STEPS);
		expect(analysis.fromStep).toBe(STEPS - ANALYSIS_WINDOW + 1);
		// The window's drift, evenly thinned for the live update: its first and last steps kept.
		expect(analysis.drift).toHaveLength(Math.min(ANALYSIS_WINDOW, LIVE_DRIFT_POINTS));
		expect(analysis.drift[0].step).toBe(STEPS - ANALYSIS_WINDOW + 1);
		expect(analysis.drift.at(-1).step).toBe(STEPS);
		expect(watch.unbounded).toEqual([]);
		// The window's outputs and fingerprints (computed once, then cached), the representatives' outputs.
		expect(watch.rows).toBeLessThan(snapshotRows + 2 * ANALYSIS_WINDOW + 50);
	}, 60_000);

	test('a step of the 20,000-step run writes rows by key: no statement scans the run’s invocations', async () => {
		// The next invocation of the long run, queued as a completion would have left it.
		const next = { id: randomId(), seq: STEPS + 1, nodeId: 'n2', modelId: 'dummy/echo', parentSeq: STEPS, input: { kind: 'text' as const, text: 'in' }, attempts: 0 };
		await db
			.insertInto('invocations')
			.values({ id: next.id, run_id: runId, seq: next.seq, node_id: next.nodeId, model_id: next.modelId, parent_seq: next.parentSeq, state: 'queued', input: JSON.stringify(next.input), attempts: 0, queued_at: new Date() })
			.execute();
		await db.updateTable('runs').set({ next_seq: STEPS + 2 }).where('id', '=', runId).execute();
		await sql`analyze invocations`.execute(db);
		const writer = new RunWriter(watched);
		watch.reset();
		expect(await writer.markRunning(runId, next.id, 1, new Date())).toBe(true);
		const queued = await writer.complete(runId, next, { output: { kind: 'text', text: 'one more' }, exactHash: textHash('one more'), costUsd: 0.01, at: new Date() }, [{ nodeId: 'n0', modelId: 'dummy/echo' }], { existing: [], arriving: 0 });
		expect(queued).toHaveLength(1);
		expect(watch.unbounded).toEqual([]);
		// The run row's counters come back (RETURNING next_seq), nothing else is read.
		expect(watch.rows).toBeLessThanOrEqual(2);
		// And in the plans: the updates and inserts find their rows through an index, never by
		// reading the run's 20,000 invocations.
		const statements = watch.nodes.map((node) => watched.getExecutor().compileQuery(node, createQueryId()));
		expect(statements.length).toBeGreaterThanOrEqual(3);
		for (const statement of statements) {
			const { rows } = await db.executeQuery(CompiledQuery.raw(`explain ${statement.sql}`, [...statement.parameters]));
			const plan = rows.map((r) => Object.values(r as object)[0]).join('\n');
			expect(plan, statement.sql).not.toMatch(/Seq Scan on invocations/);
		}
		// Put back as it was for the tests after this one.
		await db.deleteFrom('invocations').where('run_id', '=', runId).where('seq', '>', STEPS).execute();
		await db.updateTable('runs').set({ next_seq: STEPS + 1, completed_steps: STEPS, spend_usd: STEPS * 0.01 }).where('id', '=', runId).execute();
	});

	test('a restart or takeover of a run longer than detection’s window reads its counters and newest outputs, not the run', async () => {
		// Past the window loop detection holds, so the bound shows: the older steps are not read.
		const steps = RECOVERED_HISTORY + 5_000;
		const longer = await insertRun(db, (await new Networks(db).create(owner, 'longer')).id, owner.id, steps);
		// One invocation was running when the process went away: it goes back to the queue.
		const interrupted = randomId();
		await db
			.insertInto('invocations')
			.values({ id: interrupted, run_id: longer, seq: steps + 1, node_id: 'n2', model_id: 'dummy/echo', parent_seq: steps, state: 'running', input: '{"kind":"text","text":"in"}', attempts: 1, queued_at: new Date(), started_at: new Date() })
			.execute();
		const writer = new RunWriter(watched);
		watch.reset();
		const recovered = await writer.recover(longer, 3);
		expect(recovered.completed).toBe(steps);
		expect(recovered.spendUsd).toBeCloseTo(steps * 0.01, 6);
		expect(recovered.started).toBe(steps);
		expect(recovered.pending.map((p) => [p.id, p.attempts])).toEqual([[interrupted, 1]]);
		// The newest outputs loop detection can hold, in seq order, ending at the last step.
		expect(recovered.history).toHaveLength(RECOVERED_HISTORY);
		expect(recovered.history[0].seq).toBe(steps - RECOVERED_HISTORY + 1);
		expect(recovered.history.at(-1)).toEqual({ seq: steps, nodeId: `n${steps % 3}`, exactHash: expect.any(String) });
		// Rows read: the history's, the queue's and a few counters (no inputs or outputs of the older steps).
		expect(watch.rows).toBeLessThanOrEqual(RECOVERED_HISTORY + 5);
		await db.deleteFrom('invocations').where('run_id', '=', longer).execute();
		await db.deleteFrom('runs').where('id', '=', longer).execute();
	}, 120_000);

	test('the migration counts the steps and spend of runs recorded before it', async () => {
		const schema = db as unknown as Kysely<unknown>;
		await longRunsMigration.down(schema);
		await longRunsMigration.up(schema);
		const row = await db.selectFrom('runs').select(['completed_steps', 'spend_usd']).where('id', '=', runId).executeTakeFirstOrThrow();
		expect(row.completed_steps).toBe(STEPS);
		expect(Number(row.spend_usd)).toBeCloseTo(STEPS * 0.01, 6);
	});
});

/**
 * A running run of `steps` completed invocations in a ring of three nodes, each output new (so
 * no fixed point), a cent each; written in one statement, with the counters the engine's
 * completions would have left.
 */
async function insertRun(db: Db, networkId: string, ownerId: string, steps: number): Promise<string> {
	const runId = randomId();
	await db
		.insertInto('runs')
		.values({ id: runId, network_id: networkId, started_by: ownerId, input: JSON.stringify({ kind: 'text', text: 'in' }), settings: '{}', graph: '{}', next_seq: steps + 1, completed_steps: steps, spend_usd: steps * 0.01 })
		.execute();
	await sql`
		insert into invocations (id, run_id, seq, node_id, model_id, parent_seq, state, input, output, exact_hash, attempts, cost_estimate, queued_at, started_at, ended_at)
		select ${runId} || '-' || g, ${runId}, g, 'n' || (g % 3), 'dummy/echo', nullif(g - 1, 0), 'completed', '{"kind":"text","text":"in"}'::jsonb,
			jsonb_build_object('kind', 'text', 'text', 'step ' || g || ' of a long loop'), md5('step ' || g), 1, 0.01, now(), now(), now()
		from generate_series(1, ${steps}::int) g`.execute(db);
	return runId;
}

/** Whether a query's where names its rows by a list of ids or seqs (`id in (…)`, `seq in (…)`): bounded by the list. */
function picksByKey(node: unknown): boolean {
	if (!node || typeof node !== 'object') return false;
	const n = node as { kind?: string; operator?: { operator?: string }; leftOperand?: unknown };
	if (n.kind === 'BinaryOperationNode' && n.operator?.operator === 'in') {
		const column = JSON.stringify(n.leftOperand).match(/"column":\{"kind":"IdentifierNode","name":"(\w+)"/)?.[1];
		if (column === 'id' || column === 'seq') return true;
	}
	return Object.values(node).some(picksByKey);
}

function importedRow(seq: number): ImportedInvocation {
	const at = new Date();
	const output = { kind: 'text' as const, text: `out ${seq}` };
	return { seq, nodeId: 'n0', modelId: 'dummy/echo', parentSeq: seq > 1 ? seq - 1 : null, state: 'completed', input: { kind: 'text', text: 'in' }, output, exactHash: textHash(output.text), error: null, attempts: 1, providerRequestId: null, costEstimate: null, metrics: null, queuedAt: at, startedAt: at, endedAt: at };
}

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
	const reader = stream.getReader();
	const decoder = new TextDecoder();
	let text = '';
	while (!text.includes(marker) || !text.slice(text.indexOf(marker)).includes('\n\n')) {
		const { value, done } = await reader.read();
		if (done) break;
		text += decoder.decode(value, { stream: true });
	}
	await reader.cancel();
	return text;
}
