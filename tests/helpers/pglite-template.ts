import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateToLatest } from '../../server/db/migrate';
import type { Database } from '../../server/db/schema';

/**
 * A migrated PGlite data directory that test servers start from. A fresh PGlite directory
 * costs an initdb (8–13 s on this VM) in every server a test starts; a copy of one already
 * migrated opens in about a second. Keyed by the migrations, the PGlite version and this
 * file (the recipe), so a new migration makes a new template. Tests only: the app itself
 * starts from nothing, as users do.
 *
 * Beside it, the same data directory as a tarball (`.tar`): in-process DB tests load it into
 * memory (tests/helpers/databases.ts) instead of running an initdb and every migration per file.
 */
const root = path.resolve(import.meta.dirname, '../..');

/**
 * Test databases are small, and PGlite sets up all of its shared buffers each time it opens:
 * with Postgres's default 128 MB that took 1.5–2 s of every test server's start (and every
 * in-memory DB test's), with 16 MB about half a second. A tuning setting, not a behaviour: the
 * queries, their results and the files are the same.
 */
const TEST_SETTINGS = '\n# Tests: see tests/helpers/pglite-template.ts\nshared_buffers = 16MB\n';

function templateKey(): string {
	const hash = createHash('sha256');
	const migrations = path.join(root, 'migrations');
	for (const name of fs.readdirSync(migrations).sort()) hash.update(name).update(fs.readFileSync(path.join(migrations, name)));
	hash.update(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')));
	hash.update(fs.readFileSync(import.meta.filename));
	return hash.digest('hex').slice(0, 16);
}

export function pgliteTemplateDir(): string {
	return path.join(os.tmpdir(), `panic-pglite-template-${templateKey()}`);
}

/** The template as a tarball for PGlite's `loadDataDir`, or undefined when there is none yet. */
export function pgliteTemplateTarball(): Buffer | undefined {
	const dir = pgliteTemplateDir();
	if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) return undefined;
	return fs.readFileSync(`${dir}.tar`);
}

/** Creates the template if it is missing (the global setup calls this once, before any worker). */
export async function ensurePgliteTemplate(): Promise<string> {
	const dir = pgliteTemplateDir();
	if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
	const building = `${dir}.${process.pid}.tmp`;
	fs.rmSync(building, { recursive: true, force: true });
	const pglite = await PGlite.create(building);
	await migrateToLatest(new Kysely<Database>({ dialect: new PGliteDialect(pglite) }));
	await pglite.close();
	fs.appendFileSync(path.join(building, 'postgresql.conf'), TEST_SETTINGS);
	// Opened once more with the settings, and dumped as the tarball in-memory databases load.
	const reopened = await PGlite.create(building);
	const tarball = Buffer.from(await (await reopened.dumpDataDir('none')).arrayBuffer());
	await reopened.close();
	fs.writeFileSync(`${building}.tar`, tarball);
	// Renamed into place whole, the tarball first, so a reader never finds half a template.
	fs.renameSync(`${building}.tar`, `${dir}.tar`);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(building, dir);
	return dir;
}

/** Seeds `target` (a server's PGlite directory) from the template, when there is one and `target` is empty. */
export function seedFromPgliteTemplate(target: string): boolean {
	const template = pgliteTemplateDir();
	if (fs.existsSync(target) || !fs.existsSync(path.join(template, 'PG_VERSION'))) return false;
	fs.mkdirSync(path.dirname(target), { recursive: true });
	fs.cpSync(template, target, { recursive: true });
	return true;
}
