import type { Kysely } from 'kysely';

/**
 * Live availability (issue 12): what each provider said it serves to a user's key, one row per
 * user and platform, so a restart does not ask the providers again. `answers` maps a model id to
 * `{ available, reason?, at }`; `error` is why the last check could not be made (its models are
 * then unchecked). server/platforms/availability/store.ts owns the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('model_availability')
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('platform', 'text', (c) => c.notNull())
		.addColumn('checked_at', 'timestamptz')
		.addColumn('error', 'text')
		.addColumn('answers', 'jsonb', (c) => c.notNull())
		.addPrimaryKeyConstraint('model_availability_pk', ['user_id', 'platform'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('model_availability').ifExists().execute();
}
