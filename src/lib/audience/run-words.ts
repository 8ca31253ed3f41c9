import type { FeedRun } from '$shared/feed';

/** The prompt a run started from, when it was text. */
export function runPrompt(run: FeedRun | null): string | null {
	const text = run?.input?.text;
	return typeof text === 'string' ? text : null;
}

/** A run's status in plain words. */
export function runWords(run: FeedRun | null): string {
	if (!run) return 'Waiting for the first prompt';
	switch (run.status) {
		case 'running':
			return 'Running';
		case 'paused':
			return 'Paused';
		case 'completed':
		case 'stopped':
			return 'Stopped';
		case 'failed':
			return 'Stopped with an error';
		default:
			return run.status;
	}
}

/** When the lockout of the current run ends (ms since epoch), or null. */
export function lockoutUntil(run: FeedRun | null, lockoutSeconds: number): number | null {
	if (!run || (run.status !== 'running' && run.status !== 'paused')) return null;
	if (run.lockoutUntil) return Date.parse(run.lockoutUntil);
	const started = Date.parse(run.startedAt ?? '');
	return Number.isFinite(started) ? started + lockoutSeconds * 1000 : null;
}
