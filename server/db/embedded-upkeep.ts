import { sql } from 'kysely';
import type { Db } from './connect';

/**
 * What PostgreSQL's background workers do for a server and PGlite never does (issue 18).
 * PGlite runs PostgreSQL in single-user mode: no autovacuum and no checkpointer. A loop that
 * runs for days updates its run and invocation rows and churns the sync rooms' update rows; every
 * update leaves a dead row version that nothing reclaims, and every write goes to a WAL that is
 * only trimmed by a checkpoint, i.e. at shutdown. Measured (bench:soak, 5 loops at 200 ms): the
 * data directory grew ~340 MB an hour, and a table updated in place grows without end
 * (tmp experiment: +53 MB per round of the same 5,000 rows, flat once vacuumed).
 *
 * The bound: every `everyMs` (5 min by default), autovacuum's own rule (a table whose dead rows
 * exceed 50 + 20% of its live rows is vacuumed, so the space is reused) and then a CHECKPOINT
 * (WAL segments before it are recycled, so the WAL stays near what is written between two).
 * Each statement is its own query, so the event loop is taken between them; plain VACUUM never
 * locks out readers or writers for long and skips pages that are all-visible.
 */
export const UPKEEP_EVERY_MS = 5 * 60_000;

export interface UpkeepReport {
	vacuumed: string[];
	ms: number;
}

/** One round: vacuum the tables autovacuum would, then checkpoint. */
export async function upkeepOnce(db: Db): Promise<UpkeepReport> {
	const started = performance.now();
	// Counts are flushed to the statistics at most once a second; what was just done counts too.
	await sql`select pg_stat_force_next_flush()`.execute(db);
	const { rows } = await sql<{ schema: string; table: string }>`
		select schemaname as schema, relname as table from pg_stat_user_tables
		where n_dead_tup > 50 + 0.2 * n_live_tup order by n_dead_tup desc`.execute(db);
	for (const { schema, table } of rows) await sql`vacuum ${sql.table(`${schema}.${table}`)}`.execute(db);
	await sql`checkpoint`.execute(db);
	return { vacuumed: rows.map((r) => r.table), ms: performance.now() - started };
}

export interface Upkeep {
	stop(): Promise<void>;
}

/** Runs `upkeepOnce` every `everyMs`, never two at once; `stop` waits for a round in progress. */
export function startUpkeep(db: Db, { everyMs = UPKEEP_EVERY_MS, log = console as Pick<Console, 'warn'> } = {}): Upkeep {
	let round: Promise<unknown> | null = null;
	let stopped = false;
	const timer = setInterval(() => {
		if (round || stopped) return;
		round = upkeepOnce(db)
			.catch((error) => log.warn('[db] embedded database upkeep failed (tried again next round)', error))
			.finally(() => (round = null));
	}, everyMs);
	timer.unref();
	return {
		async stop() {
			stopped = true;
			clearInterval(timer);
			await round;
		}
	};
}
