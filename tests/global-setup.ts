// Integration and browser tests run the production bundle; build it once if sources changed.
// PANIC_TEST_NO_BUILD=1 skips this for quick runs of domain tests alone.
import { ensureBuild } from '../scripts/build-if-stale.js';

export default function setup() {
	if (process.env.PANIC_TEST_NO_BUILD !== '1') ensureBuild({ quiet: true });
}
