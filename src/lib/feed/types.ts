import type { Modality } from '$shared/platforms/types';

/**
 * The feed room's run map (DESIGN.md, "Sync contract"). Only the server writes it; fields
 * beyond `runId`/`status`/`step` are optional because older runs or a newer server may
 * omit or add some, and the UI must render whatever arrives.
 */
export interface FeedRun {
	runId: string;
	status: string;
	startedAt?: string | number;
	step: number;
	runningNodeIds: string[];
	stopCause?: string;
	/** The run's initial input as the server chose to describe it (text, or a card-like ref). */
	input?: unknown;
	/** Why the run failed, for people. */
	error?: string;
	/** Estimated spend so far in US dollars (hosted models that report costs). */
	spendUsd?: number;
	/** What loop detection found so far: a fixed point or cycle (sticky), or convergence. */
	analysis?: LoopFinding;
}

export interface LoopFinding {
	kind: 'fixed_point' | 'cycle' | 'converging';
	period?: number;
	step: number;
	/** e.g. "Fixed point of period 1 reached at step 6". */
	message: string;
}

/** The finding of a run in words, when it has one. */
export function loopFinding(run: FeedRun | null): LoopFinding | null {
	const a = run?.analysis as Partial<LoopFinding> | undefined;
	return a && typeof a.message === 'string' && typeof a.kind === 'string' ? (a as LoopFinding) : null;
}

/** One invocation's output as everyone sees it (DESIGN.md "Feed doc schema"). */
export interface FeedCard {
	id: string;
	runId: string;
	nodeId: string;
	modelId: string;
	seq: number;
	kind: Modality;
	text?: string;
	/** `/assets/<sha256>.<ext>` for image and audio. */
	url?: string;
	createdAt?: string | number;
}

export interface FeedSnapshot {
	/** Null before the first run, or until the room has synced. */
	run: FeedRun | null;
	/** The current run's cards, oldest first, at most `recentLimit` of them. */
	recent: FeedCard[];
	/** The newest card of the current run for each node id. */
	latestByNode: ReadonlyMap<string, FeedCard>;
	/** Node ids with an invocation in flight (from run.runningNodeIds while the run is live). */
	running: ReadonlySet<string>;
}

export const LIVE_STATUSES: ReadonlySet<string> = new Set(['running', 'queued', 'starting', 'pending', 'paused']);
export const isLive = (run: FeedRun | null): boolean => !!run && LIVE_STATUSES.has(run.status);
