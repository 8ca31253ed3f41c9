import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from '../../migrations/index';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's name if one fails. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
	const migrator = new Migrator({ db, provider });
	const { error, results = [] } = await migrator.migrateToLatest();
	const failed = results.find((r) => r.status === 'Error');
	if (error) {
		const where = failed ? ` (migration ${failed.migrationName})` : '';
		throw new Error(`Database migration failed${where}: ${String((error as Error)?.message ?? error)}`);
	}
	return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
