import type { Kysely } from 'kysely';

/**
 * `invocations.output_hash` is gone (issue 13): loop detection uses `exact_hash` (a hash of the
 * normalised content, decoded pixels for images), and nothing read the raw hash any more.
 * `down` brings the column back empty: the hashes it held are not recoverable, nor needed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('invocations').dropColumn('output_hash').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.alterTable('invocations').addColumn('output_hash', 'text').execute();
}
