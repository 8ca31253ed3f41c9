import type { FeedRun } from '$shared/feed';
import { isLive } from './types';

/**
 * A run's state as one line, each word said once: "Running · step 12 · 3 s a step",
 * "Paused at step 12", "Stopped at step 40 — fixed point". The status and the stop cause
 * often say the same thing ("stopped", "stopped"); the line folds them into one.
 */
export function runLine(run: FeedRun | null, opts: { now?: number; rate?: boolean } = {}): string {
	if (!run) return 'No run yet';
	const at = `step ${run.step}`;
	if (run.status === 'paused') return `Paused at ${at}`;
	if (isLive(run)) {
		if (run.step === 0) return 'Running · starting';
		const rate = opts.rate === false ? null : perStep(run, opts.now ?? Date.now());
		return `Running · ${at}${rate ? ` · ${rate}` : ''}`;
	}
	const cause = run.stopCause;
	if (cause === 'replaced') return `Replaced by a new run at ${at}`;
	if (cause === 'dead_end') return `Finished at ${at} — nothing left to do`;
	if (run.status === 'failed' || cause === 'error') return `Failed at ${at}`;
	const why = cause && cause !== 'stopped' ? CAUSES[cause] ?? cause.replaceAll('_', ' ') : null;
	// A run ends 'completed' at a fixed point or budget too: it was still stopped, by a rule.
	return `Stopped at ${at}${why ? ` — ${why}` : ''}`;
}

const CAUSES: Record<string, string> = {
	budget: 'budget reached',
	fixed_point: 'fixed point'
};

/** The mean time a step has taken since the run started, once there are two to go by. */
function perStep(run: FeedRun, now: number): string | null {
	const started = Date.parse(run.startedAt ?? '');
	if (!Number.isFinite(started) || run.step < 2 || now <= started) return null;
	const seconds = (now - started) / 1000 / run.step;
	if (seconds >= 90) return `${Math.round(seconds / 60)} min a step`;
	return `${seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds)} s a step`;
}
