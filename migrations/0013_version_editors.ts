import { sql, type Kysely } from 'kysely';

/**
 * Who edited in the burst an automatic version settles (issue 17): the user ids whose changes
 * the sync rooms stored during it, on whichever process they arrived. `created_by` stays the
 * one person behind a run, restore, replace or named version; automatic versions have several.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.alterTable('network_versions')
		.addColumn('editors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('network_versions').dropColumn('editors').execute();
}
