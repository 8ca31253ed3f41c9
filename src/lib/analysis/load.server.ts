import type { Panic } from '$server/app';
import { toOutput, type Output } from '$lib/feed/run-detail';
import type { RunAnalysis } from '$shared/analysis';
import { toAnalysis } from './analysis';

type Fetch = typeof fetch;

/** What a page shows of a run's analysis: the analysis and the outputs of its cluster representatives, or why there is none. */
export type AnalysisResult = { ok: true; analysis: RunAnalysis; outputs: Record<number, Output | null> } | { ok: false; error: string };

export const analysisUrl = (runId: string, embedder?: string | null) =>
	`/api/runs/${encodeURIComponent(runId)}/analysis${embedder ? `?embedder=${encodeURIComponent(embedder)}` : ''}`;

/**
 * Fetches the analysis through the API (which decides access and computes everything) and
 * the outputs of the clusters' representatives in one query. Never throws: a page shows the
 * error instead.
 */
export async function loadAnalysis(fetch: Fetch, panic: Panic, runId: string, embedder?: string | null): Promise<AnalysisResult> {
	try {
		const res = await fetch(analysisUrl(runId, embedder));
		const body = await res.json().catch(() => null);
		if (!res.ok) return { ok: false, error: body?.error ?? `The analysis is not available (${res.status}).` };
		const analysis = toAnalysis(body);
		const reps = [...analysis.clusters].sort((a, b) => b.size - a.size).slice(0, 12).map((c) => c.representativeSeq);
		const outputs: Record<number, Output | null> = {};
		if (reps.length) {
			// Access was just granted by the analysis route for this very run.
			const rows = await panic.db.selectFrom('invocations').select(['seq', 'output']).where('run_id', '=', runId).where('seq', 'in', reps).execute();
			for (const row of rows) outputs[row.seq] = toOutput(row.output);
		}
		return { ok: true, analysis, outputs };
	} catch (e) {
		return { ok: false, error: e instanceof Error ? e.message : 'Could not load the analysis.' };
	}
}
