/**
 * An experiment's limits (issue 16), shared by the API's schema and the browser's form: 1–200
 * prompts of at most 2,000 characters each (the list stays well under the 1 MB body limit),
 * 1–20 runs per prompt, 1–1,000 steps per run, and at most 400 runs and 100,000 steps in all,
 * so one request cannot queue days of work; 1–4 runs at once (each on its own lane of the
 * network, each counting against the owner's run limit). Browser-safe.
 */
export const EXPERIMENT_LIMITS = { prompts: 200, promptLength: 2000, runs: 20, steps: 1000, totalRuns: 400, totalSteps: 100_000, concurrency: 4 } as const;

/** The prompts of a prompt list as people type it: one per line, trimmed, blank lines skipped. */
export function promptLines(text: string): string[] {
	return text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter(Boolean);
}

export type ExperimentStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
export const experimentActive = (status: string) => status === 'queued' || status === 'running';
