import type { ExperimentRow, ExperimentRunRow } from './store';
import { summarise, type SummaryRow } from './summary';

/** An experiment as the API and its pages show it. */
export function experimentJson(row: ExperimentRow, networkName?: string) {
	return {
		id: row.id,
		networkId: row.networkId,
		...(networkName === undefined ? {} : { networkName }),
		createdBy: row.createdBy,
		prompts: row.prompts,
		runsPerPrompt: row.runsPerPrompt,
		steps: row.steps,
		concurrency: row.concurrency,
		status: row.status,
		reason: row.reason,
		runsTotal: row.runsTotal,
		runsDone: row.runsDone,
		stepsDone: row.stepsDone,
		/** The most steps the experiment can take (every run to its budget). */
		stepsTotal: row.runsTotal * row.steps,
		createdAt: row.createdAt.toISOString(),
		finishedAt: row.finishedAt?.toISOString() ?? null
	};
}
export type ExperimentJson = ReturnType<typeof experimentJson>;

/** One run of an experiment as its page lists it: running until its result is in. */
export function experimentRunJson(row: ExperimentRunRow, prompts: string[]) {
	const r = row.result;
	return {
		seq: row.seq,
		promptIndex: row.promptIndex,
		prompt: prompts[row.promptIndex] ?? '',
		run: row.run,
		runId: row.runId,
		/** `running` until the run ended and was analysed; then the run's own status. */
		status: r ? r.status : 'running',
		stopCause: r?.stopCause ?? null,
		steps: r ? r.steps : null,
		fixedPointStep: r?.fixedPoint?.step ?? null,
		period: r?.fixedPoint?.period ?? null,
		finalDrift: r?.finalDrift?.drift ?? null,
		error: r?.error ?? r?.analysisError ?? null
	};
}
export type ExperimentRunJson = ReturnType<typeof experimentRunJson>;

/** The experiment with its runs, the summary of those that finished, and their result rows (results.json's `runs`). */
export function experimentDetailJson(row: ExperimentRow, runs: ExperimentRunRow[], networkName: string) {
	const results = runs.flatMap((r) => (r.result ? [r.result] : []));
	const summary: SummaryRow[] = summarise(results);
	return { ...experimentJson(row, networkName), runs: runs.map((r) => experimentRunJson(r, row.prompts)), summary, results };
}
