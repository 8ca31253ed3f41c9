import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import { startUpkeep } from './embedded-upkeep';
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
		// A transaction left idle (its process frozen by SIGSTOP, or a bug) is ended by the server
		// after 5 s, so the row locks it held cannot hold up everyone else, such as another
		// process taking over a frozen holder's run (cluster mode).
		const pool = new pg.Pool({ connectionString: url, max: 10, idle_in_transaction_session_timeout: 5000 });
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
	// No autovacuum and no checkpointer in PGlite: the process does their work (embedded-upkeep.ts).
	const db: Db = new Kysely<Database>({ dialect: new PGliteDialect(takingTurns(pglite, () => upkeep.stop())) });
	const upkeep = startUpkeep(db);
	return db;
}

/**
 * PGlite runs every query on this thread, one at a time, and the dialect hands its one
 * connection to the next query in a microtask: a queue of queries (a burst of requests, busy
 * runs) ran back to back without the event loop getting a look in, holding every other
 * request (even one that needs no database) until the whole queue drained. Each query now
 * starts in a macrotask of its own, so pending I/O is taken between any two queries.
 */
function takingTurns<C extends { query: (...args: never[]) => Promise<unknown>; close(): Promise<void> }>(client: C, beforeClose: () => Promise<void>): C {
	const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
	const queryInTurn = (...args: unknown[]) => new Promise<void>((resolve) => setImmediate(resolve)).then(() => query(...args));
	const close = async () => {
		await beforeClose();
		await client.close();
	};
	// Everything else goes to PGlite itself, bound to it: it keeps its state in private fields.
	return new Proxy(client, {
		get(target, property) {
			if (property === 'query') return queryInTurn;
			if (property === 'close') return close;
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? value.bind(target) : value;
		}
	});
}

/** Where the embedded database lives inside the data directory. */
export function embeddedDatabasePath(dataDir: string): string {
	return path.join(dataDir, 'pglite');
}
