// bench:engine — a loop of two instant dummy models, N invocations (default 10,000), pacing 0,
// on PGlite and (with BENCH_DATABASE_URL or TEST_DATABASE_URL) on PostgreSQL. Prints
// invocations/s and the engine's overhead per invocation over the bare cost of the same
// database writes done directly through Kysely, side by side with the ratio.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import * as Y from 'yjs';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import { openDatabase } from '../../server/db/connect';
import { migrateToLatest } from '../../server/db/migrate';
import type { Database } from '../../server/db/schema';
import { Networks } from '../../server/networks/networks';
import { Engine } from '../../server/engine/engine';
import { appendCards } from '../../server/engine/feed';
import { writeGraph } from '../../server/shared/graph/doc';
import { randomId } from '../../server/ids';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms } from '../../server/platforms/platform';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { createPostgresDatabase } from '../../tests/helpers/databases';

const N = Number(process.env.BENCH_N || 10_000);
const AIM_MS = 2;

interface Result {
	engineMs: number;
	referenceMs: number;
}

async function setup(db: Db) {
	const userId = randomId();
	await db.insertInto('users').values({ id: userId, email: `${userId}@bench`, password_hash: 'x', created_at: new Date() }).execute();
	const settings = { pacing: { fixedMs: 0 }, budgets: { maxInvocations: N }, maxConcurrent: 2 };
	const { id: networkId } = await new Networks(db).create({ id: userId, is_admin: false }, 'bench', { settings });
	return { userId, networkId };
}

async function benchEngine(db: Db, assetsDir: string): Promise<number> {
	const { userId, networkId } = await setup(db);
	const rooms = new SyncRooms({ store: new KyselyUpdateStore(db) });
	const engine = new Engine({ db, rooms, networks: new Networks(db), catalogue: Catalogue.builtIn({ dummyModels: true }), platforms: builtInPlatforms(), assets: new FsAssetStore(assetsDir) });
	await rooms.withRoom(networkId, (room) =>
		room.change((doc) =>
			writeGraph(doc, {
				nodes: [
					{ id: 'a', modelId: 'dummy/echo', x: 0, y: 0 },
					{ id: 'b', modelId: 'dummy/upper', x: 1, y: 0 }
				],
				edges: [
					{ id: 'ab', source: 'a', target: 'b' },
					{ id: 'ba', source: 'b', target: 'a' }
				],
				startNodeId: 'a'
			})
		)
	);
	const t0 = performance.now();
	const { runId } = await engine.start(networkId, { kind: 'text', text: 'bench' }, userId);
	while (engine.activeRun(networkId)) await new Promise((r) => setTimeout(r, 5));
	const ms = performance.now() - t0;
	const done = await engine.reader.completedSteps(runId);
	if (done !== N) throw new Error(`expected ${N} completed invocations, got ${done}`);
	await engine.close();
	await rooms.close();
	return ms;
}

/**
 * The same writes per invocation, straight through Kysely (on purpose: this is the bare cost
 * the engine, its RunWriter included, is measured against): queued → running, then one
 * transaction (seq allocation, completed with output, the next one queued), and one feed
 * update appended to sync_updates.
 */
async function benchReference(db: Db): Promise<number> {
	const { userId, networkId } = await setup(db);
	const runId = randomId();
	const doc = new Y.Doc();
	const t0 = performance.now();
	await db
		.insertInto('runs')
		.values({ id: runId, network_id: networkId, started_by: userId, input: JSON.stringify({ kind: 'text', text: 'bench' }), settings: '{}', graph: '{}', next_seq: 2 })
		.execute();
	let current = { id: randomId(), seq: 1 };
	await db
		.insertInto('invocations')
		.values({ id: current.id, run_id: runId, seq: 1, node_id: 'a', model_id: 'dummy/echo', state: 'queued', input: '{"kind":"text","text":"bench"}', queued_at: new Date() })
		.execute();
	for (let i = 0; i < N; i++) {
		await db.updateTable('invocations').set({ state: 'running', attempts: 1, started_at: new Date() }).where('id', '=', current.id).execute();
		const output = JSON.stringify({ kind: 'text', text: i % 2 ? 'bench' : 'BENCH' });
		const next = { id: randomId(), seq: current.seq + 1 };
		await db.transaction().execute(async (tx) => {
			await tx.updateTable('runs').set((eb) => ({ next_seq: eb('next_seq', '+', 1) })).where('id', '=', runId).returning('next_seq').executeTakeFirst();
			await tx.updateTable('invocations').set({ state: 'completed', output, ended_at: new Date() }).where('id', '=', current.id).execute();
			await tx
				.insertInto('invocations')
				.values({ id: next.id, run_id: runId, seq: next.seq, node_id: 'b', model_id: 'dummy/upper', parent_seq: current.seq, state: 'queued', input: output, queued_at: new Date() })
				.execute();
		});
		let update: Uint8Array = new Uint8Array();
		const capture = (u: Uint8Array) => (update = u);
		doc.once('update', capture);
		appendCards(doc, [{ id: current.id, runId, nodeId: 'a', modelId: 'dummy/echo', seq: current.seq, kind: 'text', text: 'bench', createdAt: new Date().toISOString() }]);
		await db.insertInto('sync_updates').values({ room: `${networkId}/feed`, data: update }).execute();
		current = next;
	}
	return performance.now() - t0;
}

async function run(name: string, open: () => Promise<{ db: Db; close(): Promise<void> }>): Promise<Result> {
	const assetsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-bench-assets-'));
	try {
		// Separate databases, so neither side pays for the other's rows.
		const a = await open();
		const engineMs = await benchEngine(a.db, assetsDir);
		await a.close();
		const b = await open();
		const referenceMs = await benchReference(b.db);
		await b.close();
		console.log(`  ${name}: done`);
		return { engineMs, referenceMs };
	} finally {
		fs.rmSync(assetsDir, { recursive: true, force: true });
	}
}

async function main() {
	console.log(`bench:engine — ${N} invocations of a two-node dummy loop, pacing 0; Node ${process.version}`);
	const results: Array<[string, Result]> = [];
	results.push([
		'pglite',
		await run('pglite', async () => {
			const db = await openDatabase({ url: 'memory://' });
			await migrateToLatest(db);
			return { db, close: () => db.destroy() };
		})
	]);
	const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
	if (pgUrl) {
		results.push([
			'postgres',
			await run('postgres', async () => {
				const database = await createPostgresDatabase(pgUrl);
				const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 10 }) }) });
				await migrateToLatest(db);
				return {
					db,
					async close() {
						await db.destroy();
						await database.drop();
					}
				};
			})
		]);
	} else {
		console.log('  (set BENCH_DATABASE_URL or TEST_DATABASE_URL to include PostgreSQL)');
	}

	console.log('\nbackend    engine inv/s   reference inv/s   engine ms/inv   reference ms/inv   overhead ms/inv   ratio');
	for (const [name, r] of results) {
		const perEngine = r.engineMs / N;
		const perRef = r.referenceMs / N;
		console.log(
			`${name.padEnd(10)} ${((N / r.engineMs) * 1000).toFixed(0).padStart(12)}   ${((N / r.referenceMs) * 1000).toFixed(0).padStart(15)}   ${perEngine.toFixed(3).padStart(13)}   ${perRef.toFixed(3).padStart(16)}   ${(perEngine - perRef).toFixed(3).padStart(15)}   ${(perEngine / perRef).toFixed(2).padStart(5)}`
		);
	}
	const worst = Math.max(...results.map(([, r]) => (r.engineMs - r.referenceMs) / N));
	console.log(`\naim: engine overhead ≤ ${AIM_MS} ms per invocation → worst ${worst.toFixed(3)} ms (${worst <= AIM_MS ? 'met' : 'NOT met'})`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
