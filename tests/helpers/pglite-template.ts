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
 * migrated opens in about a second. Keyed by the migrations and the PGlite version, so a new
 * migration makes a new template. Tests only: the app itself starts from nothing, as users do.
 */
const root = path.resolve(import.meta.dirname, '../..');

function templateKey(): string {
	const hash = createHash('sha256');
	const migrations = path.join(root, 'migrations');
	for (const name of fs.readdirSync(migrations).sort()) hash.update(name).update(fs.readFileSync(path.join(migrations, name)));
	hash.update(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')));
	return hash.digest('hex').slice(0, 16);
}

export function pgliteTemplateDir(): string {
	return path.join(os.tmpdir(), `panic-pglite-template-${templateKey()}`);
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
	// Renamed into place whole, so a reader never copies a half-made template.
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
