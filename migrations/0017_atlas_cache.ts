import { sql, type Kysely } from 'kysely';

/**
 * Computed atlases kept in the database (issue 16), so that a fresh process, or another one in
 * a cluster, serves an atlas it has not computed itself with one read instead of reading and
 * clustering every output of up to 500 runs again. `key` is a hash of what the atlas is of
 * (ATLAS_VERSION, the package version, the embedder, each run's id and how far it got), so a
 * row is never stale: a run that moved on is another key. Rows go with their network, and
 * server/atlas/store.ts keeps the newest few per network.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('atlas_cache')
		.addColumn('key', 'text', (c) => c.primaryKey())
		// Insertion order, for keeping the newest (timestamps of quick writes can tie).
		.addColumn('seq', 'bigserial', (c) => c.notNull())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		// json, not jsonb: the atlas comes back as it was written, its keys in their order.
		.addColumn('atlas', 'json', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('atlas_cache_network_seq').on('atlas_cache').columns(['network_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('atlas_cache').ifExists().execute();
}
