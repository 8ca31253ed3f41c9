import { sql, type Kysely } from 'kysely';

/**
 * Long runs stay cheap (issue 18): a run's completed steps and its spend kept on the run row,
 * bumped in the transaction that records each completion, so the run page, its live stream
 * and the runs list read two numbers instead of counting or summing every invocation of the
 * run on each look (a 100,000-step run: 100,000 rows per update of the run page).
 *
 * Columns rather than indexes: an index on `invocations.state` (or one whose predicate
 * names it) would make every state change of every invocation a non-HOT update, adding index
 * entries on the hot path and, on PGlite (no autovacuum), bloat that itself grows with runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable('runs')
		.addColumn('completed_steps', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('runs')
		.addColumn('spend_usd', 'numeric', (c) => c.notNull().defaultTo(0))
		.execute();
	// Runs recorded before: counted once here.
	await sql`
		update runs set
			completed_steps = coalesce((select count(*) from invocations i where i.run_id = runs.id and i.state = 'completed'), 0),
			spend_usd = coalesce((select sum(i.cost_estimate) from invocations i where i.run_id = runs.id and i.cost_estimate is not null), 0)
	`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('runs').dropColumn('spend_usd').execute();
	await db.schema.alterTable('runs').dropColumn('completed_steps').execute();
}
