import type { Modality } from './platforms/types';

/**
 * A run's loop analysis (`GET /api/runs/:id/analysis`): what the run page charts, exports
 * carry and the CLI prints. Computed by server/analysis/run-analysis.ts.
 */
export interface RunAnalysis {
	runId: string;
	/** Completed invocations. */
	steps: number;
	/**
	 * The first step analysed: 1, or for a run longer than the analysis window (issue 18) the
	 * first of its newest `ANALYSIS_WINDOW` steps; drift, recurrence, cycles and clusters cover
	 * steps `fromStep`–`steps`, and a fixed point found is the first within them.
	 */
	fromStep: number;
	/** The embedder id used for similarities. */
	embedder: string;
	/** First exact repeat (fixed point period 1, or cycle period p), or null. */
	fixedPoint: AnalysisFinding | null;
	converging: { sinceStep: number; nodeId: string; message: string } | null;
	/** One point per completed invocation, in seq order. */
	drift: DriftPoint[];
	/** Pairwise similarity of outputs (same modality only; null across modalities), seqs in order. */
	recurrence: { seqs: number[]; matrix: Array<Array<number | null>> };
	/** Exact cycles found per node (period, first and last step of the repetition). */
	cycles: AnalysisCycle[];
	/** Clusters of similar outputs as attractor candidates, biggest first, each with a representative (the medoid). */
	clusters: AnalysisCluster[];
}

export interface AnalysisFinding {
	kind: 'fixed_point' | 'cycle';
	period: number;
	step: number;
	seq: number;
	nodeId: string;
	message: string;
}

export interface DriftPoint {
	seq: number;
	step: number;
	nodeId: string;
	kind: Modality;
	toInput: number | null;
	toPrevious: number | null;
}

export interface AnalysisCycle {
	nodeId: string;
	period: number;
	fromStep: number;
	toStep: number;
}

export interface AnalysisCluster {
	id: number;
	size: number;
	representativeSeq: number;
	seqs: number[];
	kind: Modality;
}
