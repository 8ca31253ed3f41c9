import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('networks')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('visibility', 'text', (c) => c.notNull().defaultTo('private').check(sql`visibility in ('private', 'unlisted', 'public')`))
		.addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('networks_owner_id').on('networks').column('owner_id').execute();

	await db.schema
		.createTable('network_members')
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('editor', 'viewer')`))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('network_members_pk', ['network_id', 'user_id'])
		.execute();
	await db.schema.createIndex('network_members_user_id').on('network_members').column('user_id').execute();

	// Invite links carry a random token; only its SHA-256 is stored, as with sessions.
	await db.schema
		.createTable('network_invites')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('network_id', 'text', (c) => c.notNull().references('networks.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('editor', 'viewer')`))
		.addColumn('created_by', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('revoked_at', 'timestamptz')
		.addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('network_invites_network_id').on('network_invites').column('network_id').execute();

	// Yjs updates per sync room, appended before they are fanned out; compaction replaces a
	// prefix of rows with one merged update.
	await db.schema
		.createTable('sync_updates')
		.addColumn('room', 'text', (c) => c.notNull())
		.addColumn('seq', 'bigserial', (c) => c.notNull())
		.addColumn('data', 'bytea', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('sync_updates_pk', ['room', 'seq'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	for (const table of ['sync_updates', 'network_invites', 'network_members', 'networks']) {
		await db.schema.dropTable(table).ifExists().execute();
	}
}
