import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
	/** `postgres://…` uses node-postgres; anything else is a PGlite data directory or `memory://`. */
	url: string;
}

/**
 * Opens the database. Postgres URLs go through `pg`; otherwise PGlite runs embedded in this
 * process, so a fresh checkout needs no database server at all.
 */
export async function openDatabase({ url }: DatabaseOptions): Promise<Db> {
	if (/^postgres(ql)?:\/\//.test(url)) {
		const { default: pg } = await import('pg');
		const pool = new pg.Pool({ connectionString: url, max: 10 });
		// An idle client can be cut off (server restart, admin termination); pg reports that
		// as a pool 'error' event, which would crash the process if nobody listened. The pool
		// replaces the client on next use, so a warning is all it needs.
		pool.on('error', (error) => console.warn(`[db] idle connection lost: ${error.message}`));
		return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	}
	const [{ PGlite }, { PGliteDialect }] = await Promise.all([
		import('@electric-sql/pglite'),
		import('kysely-pglite-dialect')
	]);
	if (!url.startsWith('memory://')) fs.mkdirSync(path.dirname(url), { recursive: true });
	const pglite = await PGlite.create(url);
	return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

/** Where the embedded database lives inside the data directory. */
export function embeddedDatabasePath(dataDir: string): string {
	return path.join(dataDir, 'pglite');
}
