import { sql, type Kysely } from 'kysely';

/**
 * Hosted models (issue 5): what providers report per invocation, why a run failed, and the
 * Replicate models people add by name.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	// Provider metrics per invocation (predict time, tokens, images, seconds of audio).
	await db.schema.alterTable('invocations').addColumn('metrics', 'jsonb').execute();
	// Why a run ended with an error, for people ("the owner's OpenAI key was refused").
	await db.schema.alterTable('runs').addColumn('error', 'text').execute();

	// A model someone added by name (`replicate/owner/name[:version]`), saved for that user.
	// `info` is the whole catalogue entry, the input/output mapping included, so a network
	// using it runs the same way however the provider's schema changes later.
	await db.schema
		.createTable('custom_models')
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('model_id', 'text', (c) => c.notNull())
		.addColumn('info', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('custom_models_pk', ['user_id', 'model_id'])
		.execute();
	await db.schema.createIndex('custom_models_model_id').on('custom_models').column('model_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('custom_models').ifExists().execute();
	await db.schema.alterTable('runs').dropColumn('error').execute();
	await db.schema.alterTable('invocations').dropColumn('metrics').execute();
}
