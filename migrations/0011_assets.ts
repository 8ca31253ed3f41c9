import { sql, type Kysely } from 'kysely';

/**
 * Assets in the database (issue 15): in cluster mode every process serves every
 * `/assets/<sha256>.<ext>`, whichever process fetched the provider's output, so the bytes live
 * in PostgreSQL rather than on one machine's disk. Keyed like the file store's names: the same
 * bytes stored as two types are two assets. Single mode keeps the filesystem store; the table
 * then stays empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('assets')
		.addColumn('sha256', 'text', (c) => c.notNull())
		.addColumn('ext', 'text', (c) => c.notNull())
		.addColumn('mime', 'text', (c) => c.notNull())
		.addColumn('size', 'integer', (c) => c.notNull())
		.addColumn('data', 'bytea', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('assets_pkey', ['sha256', 'ext'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('assets').execute();
}
