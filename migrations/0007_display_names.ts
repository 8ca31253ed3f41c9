import type { Kysely } from 'kysely';

/**
 * Display names (issue 11): what other people see of an account (owners of public networks,
 * members, presence on the canvas, prompt senders), so an email is shown only to its owner
 * and to the owners of networks the account is a member of. Null until the person picks one;
 * server/auth/display-name.ts says what is shown meanwhile.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('users').addColumn('display_name', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('display_name').execute();
}
