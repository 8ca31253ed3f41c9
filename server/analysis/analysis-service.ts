import { z } from 'zod';
import type { PublicUser } from '../auth/sessions';
import type { RunsService } from '../engine/runs-service';
import { analyzeRun, type AnalysisDeps, type RunAnalysis } from './run-analysis';

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
}
