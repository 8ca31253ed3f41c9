import { sql, type Kysely } from 'kysely';

/**
 * Experiments started from the browser (issue 16): a prompt list × runs × a step budget on one
 * network, run through the engine one run after another, with its progress, and the runs it
 * made (`experiment_runs`, one row per planned run: its run id once started, its result row
 * once finished). server/experiments/store.ts owns both tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('experiments')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('prompts', 'jsonb', (c) => c.notNull())
		.addColumn('runs_per_prompt', 'integer', (c) => c.notNull())
		.addColumn('steps', 'integer', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'cancelled', 'failed')`))
		// Why it was cancelled or failed, for people.
		.addColumn('reason', 'text')
		.addColumn('runs_total', 'integer', (c) => c.notNull())
		.addColumn('runs_done', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('steps_done', 'integer', (c) => c.notNull().defaultTo(0))
		// The process driving it (a restart leaves its experiments to be marked interrupted).
		.addColumn('holder', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('finished_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('experiments_network_created').on('experiments').columns(['network_id', 'created_at']).execute();
	// One experiment at a time per network, whichever process starts it.
	await sql`create unique index experiments_one_active on experiments (network_id) where status in ('queued', 'running')`.execute(db);

	await db.schema
		.createTable('experiment_runs')
		.addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
		// Plan order: prompt by prompt, run by run.
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('prompt_index', 'integer', (c) => c.notNull())
		// 1-based: the n-th run of this prompt.
		.addColumn('run', 'integer', (c) => c.notNull())
		.addColumn('run_id', 'text', (c) => c.notNull().unique().references('runs.id').onDelete('cascade'))
		// The results.json row (server/experiments/summary.ts RunResult) once the run ended and was analysed.
		.addColumn('result', 'jsonb')
		.addPrimaryKeyConstraint('experiment_runs_pk', ['experiment_id', 'seq'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('experiment_runs').ifExists().execute();
	await db.schema.dropTable('experiments').ifExists().execute();
}
