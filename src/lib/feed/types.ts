import type { FeedAnalysis, FeedCard, FeedRun } from '$shared/feed';

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

const FINDING_KINDS: ReadonlySet<unknown> = new Set<FeedAnalysis['kind']>(['fixed_point', 'cycle', 'converging']);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The finding of a run in words, when it has one. Checked field by field: the run may come
 * over SSE as parsed JSON, and a malformed finding should show nothing rather than break.
 */
export function loopFinding(run: FeedRun | null): FeedAnalysis | null {
	const a = run?.analysis as Record<string, unknown> | undefined;
	if (!a || typeof a !== 'object' || !FINDING_KINDS.has(a.kind) || typeof a.message !== 'string') return null;
	return {
		kind: a.kind as FeedAnalysis['kind'],
		...(num(a.period) ? { period: a.period } : {}),
		step: num(a.step) ? a.step : 0,
		seq: num(a.seq) ? a.seq : 0,
		nodeId: typeof a.nodeId === 'string' ? a.nodeId : '',
		message: a.message
	};
}

export const LIVE_STATUSES: ReadonlySet<string> = new Set(['running', 'queued', 'starting', 'pending', 'paused']);
export const isLive = (run: FeedRun | null): boolean => !!run && LIVE_STATUSES.has(run.status);
