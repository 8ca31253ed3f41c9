import { sql, type Kysely } from 'kysely';

/**
 * Loop analysis (issue 7): a normalised content hash per output (identical pictures hash
 * alike whatever their encoding), embeddings per output and embedder, and runs imported
 * from another PANIC (shown like local ones, marked as imported).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('invocations').addColumn('exact_hash', 'text').execute();
	await db.schema
		.createTable('output_fingerprints')
		.addColumn('invocation_id', 'text', (c) => c.notNull().references('invocations.id').onDelete('cascade'))
		// `local/text-ngrams`, `openai/text-embedding-3-small`, ...
		.addColumn('embedder', 'text', (c) => c.notNull())
		.addColumn('vector', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('output_fingerprints_pk', ['invocation_id', 'embedder'])
		.execute();
	await db.schema.alterTable('runs').addColumn('imported_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('runs').dropColumn('imported_at').execute();
	await db.schema.dropTable('output_fingerprints').ifExists().execute();
	await db.schema.alterTable('invocations').dropColumn('exact_hash').execute();
}
