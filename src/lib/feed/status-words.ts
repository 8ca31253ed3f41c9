/**
 * A run's status and why it ended, said once: "stopped", not "stopped · stopped"; a cause
 * that adds something ("budget reached") follows the status word.
 */
const CAUSE_WORDS: Record<string, string> = {
	replaced: 'replaced by a new run',
	budget: 'budget reached',
	fixed_point: 'fixed point reached',
	dead_end: 'nothing left to run',
	// A failed run's error is shown by itself; "failed: error" would say it twice.
	error: ''
};

/** "running", "stopped", "stopped: budget reached", "completed: fixed point reached", "failed". */
export function runStatusWords(status: string, stopCause?: string | null): string {
	if (!stopCause || stopCause === status || status === 'running' || status === 'paused') return status;
	const cause = CAUSE_WORDS[stopCause] ?? stopCause.replaceAll('_', ' ');
	return cause ? `${status}: ${cause}` : status;
}

/** Joins the parts of a status line with " · ", leaving out empty ones and repeats. */
export function statusLine(parts: (string | null | undefined | false)[]): string {
	const kept: string[] = [];
	for (const part of parts) if (part && !kept.includes(part)) kept.push(part);
	return kept.join(' · ');
}
