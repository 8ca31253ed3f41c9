import { sql, type Kysely } from 'kysely';

/**
 * Run lanes (issue 16): an experiment started from the browser runs up to four runs of one
 * network at once. A run belongs to a network and a lane: lane 0 is the network's own run (the
 * one the canvas, phones, displays and the facilitator follow); lanes 1.. are extra runs of an
 * experiment going at the same time on the same graph, shown on nobody's canvas.
 *
 * - `runs.lane`: 0 for every run recorded before (they were all the network's own run).
 * - At most one running run per network and lane: the index of 0010 widened to (network, lane).
 *   A start replaces only the running run of its own lane.
 * - `experiments.concurrency`: how many of the experiment's runs go at once (1–4), each on
 *   its own lane.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable('runs')
		.addColumn('lane', 'smallint', (c) => c.notNull().defaultTo(0).check(sql`lane >= 0`))
		.execute();
	await sql`drop index if exists runs_one_running_per_network`.execute(db);
	await sql`create unique index runs_one_running_per_lane on runs (network_id, lane) where status = 'running'`.execute(db);
	await db.schema
		.alterTable('experiments')
		.addColumn('concurrency', 'smallint', (c) => c.notNull().defaultTo(1).check(sql`concurrency between 1 and 4`))
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('experiments').dropColumn('concurrency').execute();
	// Back to one running run per network: the extra lanes' runs end first, or the index could not exist.
	await sql`update invocations set state = 'cancelled', ended_at = now()
		where state in ('queued', 'running') and run_id in (select id from runs where status = 'running' and lane > 0)`.execute(db);
	await sql`update runs set status = 'stopped', stop_cause = 'stopped', ended_at = now(), paused_at = null where status = 'running' and lane > 0`.execute(db);
	await sql`drop index if exists runs_one_running_per_lane`.execute(db);
	await sql`create unique index runs_one_running_per_network on runs (network_id) where status = 'running'`.execute(db);
	await db.schema.alterTable('runs').dropColumn('lane').execute();
}
