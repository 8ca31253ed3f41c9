import type { Pacing, RunSettings } from './settings';

/**
 * The run semantics of DESIGN.md as pure functions: no clock, no database, no timers.
 * RunController asks these what to do; the spec beside this file holds them to the rules.
 */

/** Milliseconds to wait between starting one invocation and the next, `elapsedMs` into the run. */
export function pacingDelayMs(elapsedMs: number, pacing: Pacing): number {
	if ('fixedMs' in pacing) return pacing.fixedMs;
	const seconds = Math.max(0, elapsedMs) / 1000;
	for (const step of pacing.schedule) if (seconds < step.untilSeconds) return step.delayMs;
	return pacing.thenMs;
}

/** Where a node's output goes: one target per outgoing edge (fan-out), in edge order. */
export function fanOutTargets(edges: readonly { source: string; target: string }[], nodeId: string): string[] {
	return edges.filter((e) => e.source === nodeId).map((e) => e.target);
}

/**
 * Adding `arrivals` new invocations to the pending queue under a cap, "latest wins": when
 * the queue would exceed `cap`, the oldest pending ones are dropped first, then (if the
 * arrivals alone exceed the cap) the oldest arrivals. Returns how many of each to drop.
 */
export function pendingDrops(pendingCount: number, arrivals: number, cap: number): { existing: number; arriving: number } {
	const overflow = Math.max(0, pendingCount + arrivals - cap);
	const existing = Math.min(overflow, pendingCount);
	return { existing, arriving: overflow - existing };
}

export interface RunProgress {
	/** Invocations started (each counts once, however many attempts). */
	started: number;
	elapsedMs: number;
	spendUsd: number;
}

/** Whether a budget is used up: the run stops with cause `budget`. */
export function budgetExhausted(progress: RunProgress, budgets: RunSettings['budgets']): boolean {
	if (budgets.maxInvocations != null && progress.started >= budgets.maxInvocations) return true;
	if (budgets.maxDurationSeconds != null && progress.elapsedMs >= budgets.maxDurationSeconds * 1000) return true;
	if (budgets.maxSpendUsd != null && progress.spendUsd >= budgets.maxSpendUsd) return true;
	return false;
}

/** What the controller should do next about starting invocations. */
export type NextStep =
	/** Start the oldest pending invocation now. */
	| { action: 'start' }
	/** Pacing holds the next start back this many milliseconds. */
	| { action: 'wait'; ms: number }
	/** Nothing may start until something changes (a completion, a resume, new settings). */
	| { action: 'hold' }
	| { action: 'end'; cause: 'budget' | 'dead_end' };

export interface PumpState {
	paused: boolean;
	pending: number;
	running: number;
	maxConcurrent: number;
	budgetExhausted: boolean;
	/** Milliseconds until pacing lets the next start go (≤ 0: it may go now). */
	msUntilNextStart: number;
}

/**
 * One decision of the controller's pump. A run that can never start anything again ends even
 * while paused: with nothing pending or running it is a dead end, and with its budget used up
 * and nothing running it is over (resuming would only end it). Otherwise a pause holds every
 * start, whatever pacing says; invocations already running finish and fan out as usual.
 */
export function nextStep(s: PumpState): NextStep {
	if (isDeadEnd(s.pending, s.running)) return { action: 'end', cause: 'dead_end' };
	if (s.budgetExhausted) return s.running === 0 ? { action: 'end', cause: 'budget' } : { action: 'hold' };
	if (s.paused || s.pending === 0 || s.running >= s.maxConcurrent) return { action: 'hold' };
	if (s.msUntilNextStart > 0) return { action: 'wait', ms: s.msUntilNextStart };
	return { action: 'start' };
}

/**
 * When pacing lets the next invocation start, given the last start (its time and how far into
 * the run it was). Recomputed whenever the pacing changes, so a facilitator who speeds a slow
 * loop up sees the next step at once, and one who slows it down holds the next step back.
 * `floorMs` is the least gap the server allows before the next invocation's model (hosted
 * models have one), whatever the network's pacing says.
 */
export function nextStartAtMs(lastStart: { atMs: number; elapsedMs: number } | null, pacing: Pacing, floorMs = 0): number {
	if (!lastStart) return 0;
	return lastStart.atMs + Math.max(pacingDelayMs(lastStart.elapsedMs, pacing), floorMs);
}

/** Nothing pending and nothing running: the wiring led nowhere further. */
export const isDeadEnd = (pending: number, running: number) => pending === 0 && running === 0;

/**
 * Seconds until a prompt may replace the active run (0: it may now). Guards a run from being
 * replaced by audience prompts before anyone saw what it did.
 */
export function lockoutRemainingSeconds(runStartedAtMs: number | null, nowMs: number, lockoutSeconds: number): number {
	if (runStartedAtMs === null) return 0;
	return Math.max(0, Math.ceil((runStartedAtMs + lockoutSeconds * 1000 - nowMs) / 1000));
}

/** The run's status once it stopped for `cause`. */
export function statusFor(cause: string): 'completed' | 'stopped' | 'failed' {
	if (cause === 'dead_end' || cause === 'fixed_point') return 'completed';
	if (cause === 'error') return 'failed';
	return 'stopped';
}
