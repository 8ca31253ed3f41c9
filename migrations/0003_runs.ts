import { sql, type Kysely } from 'kysely';

/**
 * Runs and their invocations (DESIGN.md "Run semantics"). Every invocation state change is a
 * row update, so a restart can resume a run from what is stored: `queued` rows are the
 * pending work, `running` rows were in flight when the process died.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('runs')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('started_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('input', 'jsonb', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull().defaultTo('running').check(sql`status in ('running', 'stopped', 'completed', 'failed')`))
		.addColumn('stop_cause', 'text', (c) =>
			c.check(sql`stop_cause in ('stopped', 'replaced', 'budget', 'fixed_point', 'dead_end', 'error')`)
		)
		// The settings and graph as they were at the start: a run follows the wiring it began with.
		.addColumn('settings', 'jsonb', (c) => c.notNull())
		.addColumn('graph', 'jsonb', (c) => c.notNull())
		// The next invocation's seq; bumped in the transaction that inserts invocations.
		.addColumn('next_seq', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('ended_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('runs_network_id_started_at').on('runs').columns(['network_id', 'started_at']).execute();
	await db.schema.createIndex('runs_running').on('runs').column('status').where(sql.ref('status'), '=', 'running').execute();

	await db.schema
		.createTable('invocations')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
		.addColumn('seq', 'integer', (c) => c.notNull())
		.addColumn('node_id', 'text', (c) => c.notNull())
		.addColumn('model_id', 'text', (c) => c.notNull())
		.addColumn('parent_seq', 'integer')
		.addColumn('state', 'text', (c) =>
			c.notNull().check(sql`state in ('queued', 'running', 'completed', 'failed', 'cancelled', 'dropped')`)
		)
		.addColumn('input', 'jsonb', (c) => c.notNull())
		.addColumn('output', 'jsonb')
		.addColumn('output_hash', 'text')
		.addColumn('error', 'text')
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('provider_request_id', 'text')
		.addColumn('cost_estimate', 'numeric')
		.addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('started_at', 'timestamptz')
		.addColumn('ended_at', 'timestamptz')
		.addUniqueConstraint('invocations_run_seq', ['run_id', 'seq'])
		.execute();
	// The unique constraint's index serves (run_id, seq) lookups and pagination.
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('invocations').ifExists().execute();
	await db.schema.dropTable('runs').ifExists().execute();
}
