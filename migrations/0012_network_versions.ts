import { sql, type Kysely } from 'kysely';

/**
 * Versions of a network's graph (issue 17): one when a run starts (the graph it used), one
 * after a burst of editing settles, one before every restore and every wholesale replace
 * (an import over the API), and named ones saved by hand. `changes` holds the counts of a
 * diff against the version before it, so the list needs no graphs. Automatic versions are
 * thinned to a configured number; the others stay. server/history/versions.ts owns the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('network_versions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		// Order of recording: timestamps of versions recorded in one millisecond tie.
		.addColumn('seq', 'serial', (c) => c.notNull())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('auto', 'run', 'named', 'before_restore', 'before_import')`))
		.addColumn('name', 'text')
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		// A run's version: at most one per run (taken when it starts, or on first look).
		.addColumn('run_id', 'text', (c) => c.unique().references('runs.id').onDelete('set null'))
		.addColumn('graph', 'jsonb', (c) => c.notNull())
		.addColumn('changes', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('network_versions_network_seq').on('network_versions').columns(['network_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('network_versions').ifExists().execute();
}
