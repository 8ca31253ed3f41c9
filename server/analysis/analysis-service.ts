import { z } from 'zod';
import type { PublicUser } from '../auth/sessions';
import type { RunsService } from '../engine/runs-service';
import { analyzeRun, type AnalysisDeps, type RunAnalysis } from './run-analysis';

/** Outputs in a live recurrence matrix: 150² cells are ~150 KB of JSON. */
export const LIVE_MAX_POINTS = 150;

export const analysisQuerySchema = z
	.object({
		embedder: z.string().min(1).max(200).optional(),
		maxPoints: z.coerce.number().int().min(2).max(2000).optional()
	})
	.strict();

/**
 * `GET /api/runs/:id/analysis`: anyone who may read the run may analyse it (a hidden run is a
 * 404, as for the run itself). Hosted embedders spend the network owner's key.
 */
export class AnalysisService {
	constructor(
		private runs: Pick<RunsService, 'readable'>,
		private deps: AnalysisDeps
	) {}

	async get(runId: string, user: PublicUser | null, query: z.infer<typeof analysisQuerySchema>): Promise<RunAnalysis> {
		await this.runs.readable(runId, user);
		return analyzeRun(this.deps, runId, query);
	}

	/**
	 * What a run page watching a run is sent as it goes (access decided by the caller, once per
	 * viewer): the offline fingerprints, and a smaller recurrence matrix than a page load's, as it
	 * is recomputed every couple of seconds for as long as the run lasts.
	 */
	live(runId: string): Promise<RunAnalysis> {
		return analyzeRun(this.deps, runId, { maxPoints: LIVE_MAX_POINTS });
	}
}
