import type { Panic } from '$server/app';
import { analysisQuerySchema } from '$server/analysis/analysis-service';
import type { PublicUser } from '$server/auth/sessions';
import { AppError } from '$server/errors';
import { validate } from '$server/http/body';
import { toOutput, type Output } from '$lib/feed/run-detail';
import { toAnalysis, type AnalysisResult } from './analysis';

export type { AnalysisResult };

/**
 * The analysis from the analysis service (which decides access, as for the API, and computes
 * everything) and the outputs of the clusters' representatives from the runs reader. Never
 * throws: a page shows the error instead.
 */
export async function loadAnalysis(panic: Panic, user: PublicUser | null, runId: string, embedder?: string | null): Promise<AnalysisResult> {
	try {
		const query = validate(analysisQuerySchema, embedder ? { embedder } : {});
		const analysis = toAnalysis(await panic.analysis.get(runId, user, query));
		const reps = [...analysis.clusters].sort((a, b) => b.size - a.size).slice(0, 12).map((c) => c.representativeSeq);
		const outputs: Record<number, Output | null> = {};
		// Access was just granted by the analysis service for this very run.
		for (const [seq, output] of await panic.runReader.outputs(runId, reps)) outputs[seq] = toOutput(output);
		return { ok: true, analysis, outputs };
	} catch (e) {
		if (e instanceof AppError) return { ok: false, error: e.message };
		console.error(`[analysis] run ${runId}`, e);
		return { ok: false, error: 'Could not load the analysis.' };
	}
}
