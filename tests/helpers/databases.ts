import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { randomId } from '../../server/ids';
import type { Db } from '../../server/db/connect';
import type { Database } from '../../server/db/schema';
import { migrateToLatest } from '../../server/db/migrate';
import { pgliteTemplateTarball } from './pglite-template';

/**
 * The database backends every DB test runs against: PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set (CI sets it). One contract suite, two implementations.
 */
export interface TestDatabase {
	db: Db;
	/** Every row of every table as text, like a dump, for "no plaintext stored" checks. */
	dumpText(): Promise<string>;
	close(): Promise<void>;
}

export interface Backend {
	name: 'pglite' | 'postgres';
	open(): Promise<TestDatabase>;
}

// Booting PGlite runs initdb (seconds); loading a migrated data directory takes a fraction.
// The global setup made one (pglite-template.ts); without it (a file run on its own, outside
// vitest's setup) this worker makes its own once.
let template: Promise<Blob> | undefined;
function migratedTemplate(): Promise<Blob> {
	return (template ??= (async () => {
		const tarball = pgliteTemplateTarball();
		if (tarball) return new Blob([new Uint8Array(tarball)]);
		const pglite = await PGlite.create('memory://');
		await migrateToLatest(new Kysely<Database>({ dialect: new PGliteDialect(pglite) }));
		const blob = await pglite.dumpDataDir('none');
		await pglite.close();
		return blob;
	})());
}

const pgliteBackend: Backend = {
	name: 'pglite',
	async open() {
		const pglite = await PGlite.create({ loadDataDir: await migratedTemplate() });
		const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
		return { db, dumpText: () => dumpRows(db), close: () => db.destroy() };
	}
};

/** A fresh database per test file on the server TEST_DATABASE_URL points at, dropped after. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `panic_test_${randomId(8)}`;
	const admin = new pg.Client({ connectionString: adminUrl });
	await admin.connect();
	await admin.query(`CREATE DATABASE ${name}`);
	await admin.end();
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const client = new pg.Client({ connectionString: adminUrl });
			await client.connect();
			await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await client.end();
		}
	};
}

const postgresBackend = (adminUrl: string): Backend => ({
	name: 'postgres',
	async open() {
		const database = await createPostgresDatabase(adminUrl);
		const pool = new pg.Pool({ connectionString: database.url, max: 4 });
		pool.on('error', () => {}); // idle clients are cut off when the test database is dropped
		const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
		await migrateToLatest(db);
		return {
			db,
			dumpText: () => dumpRows(db),
			async close() {
				await db.destroy();
				await database.drop();
			}
		};
	}
});

export function backends(): Backend[] {
	const url = process.env.TEST_DATABASE_URL;
	return url ? [pgliteBackend, postgresBackend(url)] : [pgliteBackend];
}

async function dumpRows(db: Db): Promise<string> {
	const tables = await sql<{ table_name: string }>`
		select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
	const parts: string[] = [];
	for (const { table_name } of tables.rows) {
		const rows = await sql`select * from ${sql.table(table_name)}`.execute(db);
		parts.push(`${table_name}: ${JSON.stringify(rows.rows)}`);
	}
	return parts.join('\n');
}
