import { sql, type Kysely } from 'kysely';

/**
 * Audiences and facilitation (issue 6): rotating join codes, audience sessions (no
 * account, one network each), the prompt queue, saved multi-screen installations, a
 * canvas lock for performances and pausing a run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	// Per-network audience settings (join-code rotation, queue mode, blocklist, limits).
	await db.schema.alterTable('networks').addColumn('audience', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute();
	// While locked, only the owner edits the graph (a performance is on).
	await db.schema.alterTable('networks').addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
	// A paused run keeps its queue but starts nothing until resumed.
	await db.schema.alterTable('runs').addColumn('paused_at', 'timestamptz').execute();

	// Codes are shown on a projector, so they are stored as they are; they only let people
	// join as audience, and only until they expire or the event ends.
	await db.schema
		.createTable('join_codes')
		.addColumn('code', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('revoked_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('join_codes_network_created').on('join_codes').columns(['network_id', 'created_at']).execute();

	// An audience member's session: a cookie token (only its SHA-256 stored), one network.
	await db.schema
		.createTable('audience_sessions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('join_code', 'text', (c) => c.references('join_codes.code').onDelete('set null'))
		.addColumn('label', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('revoked_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('audience_sessions_network').on('audience_sessions').column('network_id').execute();

	// Prompts from the audience and members, waiting for (or past) their turn to start a run.
	await db.schema
		.createTable('prompts')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('audience_session_id', 'text', (c) => c.references('audience_sessions.id').onDelete('set null'))
		.addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('text', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) =>
			c.notNull().check(sql`status in ('queued', 'approved', 'rejected', 'started', 'withdrawn', 'dropped')`)
		)
		.addColumn('reason', 'text')
		.addColumn('run_id', 'text', (c) => c.references('runs.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('decided_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('prompts_network_status').on('prompts').columns(['network_id', 'status', 'created_at']).execute();

	// Saved multi-screen installations: each screen a display config with its own kiosk URL.
	await db.schema
		.createTable('installations')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('screens', 'jsonb', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('installations_network').on('installations').column('network_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	for (const table of ['installations', 'prompts', 'audience_sessions', 'join_codes']) await db.schema.dropTable(table).ifExists().execute();
	await db.schema.alterTable('runs').dropColumn('paused_at').execute();
	await db.schema.alterTable('networks').dropColumn('locked').execute();
	await db.schema.alterTable('networks').dropColumn('audience').execute();
}
