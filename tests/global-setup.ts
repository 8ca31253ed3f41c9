// Integration and browser tests run the production bundle; build it once if sources changed.
// PANIC_TEST_NO_BUILD=1 skips this for quick runs of domain tests alone.
// Test servers on PGlite start from a migrated template instead of an initdb each.
import { ensureBuild } from '../scripts/build-if-stale.js';
import { ensurePgliteTemplate } from './helpers/pglite-template';

export default async function setup() {
	if (process.env.PANIC_TEST_NO_BUILD !== '1') ensureBuild({ quiet: true });
	await ensurePgliteTemplate();
}
