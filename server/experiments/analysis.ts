import type { Panic } from '../app';
import { hostedPlatforms } from '../platforms/hosted/index';
import { builtInPlatforms } from '../platforms/platform';
import type { HostedPlatformId } from '../shared/platforms/types';
import { analyzeRun, type RunAnalysis } from '../analysis/run-analysis';

export type { RunAnalysis };

/** What the runner asks of the analysis: one finished run in, its analysis out. */
export type AnalyzeRun = (runId: string) => Promise<RunAnalysis>;

/**
 * The analysis the run pages show, bound to this process's domain: the same database and
 * asset store, and platforms built like the engine's, so hosted embedders spend the same
 * keys (the network owner's) the runs did.
 */
export function runAnalyzer(panic: Panic): AnalyzeRun {
	const platforms = builtInPlatforms(hostedPlatforms(panic.config));
	return (runId) =>
		analyzeRun(
			{
				db: panic.db,
				runs: panic.runReader,
				networks: panic.networks,
				assets: panic.assets,
				platforms,
				catalogue: panic.catalogue,
				revealKey: (userId: string, platform: string) => panic.keys.reveal(userId, platform as HostedPlatformId)
			},
			runId
		);
}
