import type { Migration } from 'kysely';
import * as m0001 from './0001_accounts';

/**
 * Every migration, by name, in order. A static list (rather than reading the folder at run
 * time) lets the same migrations ship inside the production bundle, the dev server and tests.
 */
export const migrations: Record<string, Migration> = {
	'0001_accounts': m0001
};
