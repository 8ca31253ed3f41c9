import { sql, type Kysely } from 'kysely';

/**
 * Run leases (issue 15, cluster mode). A running run is held by one process at a time: in
 * cluster mode through a BullMQ job, in the single process by the process itself.
 *
 * - `lease` is the fencing token: whoever takes the run over bumps it, and every write the
 *   holder makes matches `lease = <its token>`, so a holder that lost the run (frozen, cut
 *   off) writes nothing once another took it.
 * - `lease_holder` and `leased_at` say which process took it and when, for diagnosis only.
 * - At most one running run per network (a partial unique index): a start that replaces the
 *   running run ends it in the same transaction, so the index only trips on two starts racing
 *   on two processes, and the loser retries.
 *
 * Databases written before this may hold two running runs of one network (the engine used to
 * end the older on resume): the older ones end as replaced first, or the index could not exist.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable('runs')
		.addColumn('lease', 'bigint', (c) => c.notNull().defaultTo(0))
		.addColumn('lease_holder', 'text')
		.addColumn('leased_at', 'timestamptz')
		.execute();
	const older = sql`status = 'running' and exists (
		select 1 from runs newer
		where newer.network_id = runs.network_id and newer.status = 'running'
		  and (newer.started_at, newer.id) > (runs.started_at, runs.id))`;
	await sql`update invocations set state = 'cancelled', ended_at = now()
		where state in ('queued', 'running') and run_id in (select id from runs where ${older})`.execute(db);
	await sql`update runs set status = 'stopped', stop_cause = 'replaced', ended_at = now(), paused_at = null where ${older}`.execute(db);
	await sql`create unique index runs_one_running_per_network on runs (network_id) where status = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropIndex('runs_one_running_per_network').ifExists().execute();
	await db.schema.alterTable('runs').dropColumn('lease').dropColumn('lease_holder').dropColumn('leased_at').execute();
}
