import type { Modality } from './platforms/types';

/**
 * The feed doc's values (DESIGN.md "Sync contract"): `cards`, an array of plain card
 * objects, and `run`, a map with the active run's state. The engine writes them
 * (server/engine/feed.ts); the canvas, displays and phones read them over sync or SSE.
 */

/** One invocation's output as everyone sees it. */
export interface Card {
	id: string;
	runId: string;
	nodeId: string;
	modelId: string;
	seq: number;
	kind: Modality;
	text?: string;
	/** `/assets/<sha256>.<ext>` for image and audio. */
	url?: string;
	createdAt: string;
}

/** What live loop detection shows: the first fixed point or cycle (sticky), else convergence while it lasts. */
export interface FeedAnalysis {
	kind: 'fixed_point' | 'cycle' | 'converging';
	period?: number;
	/** When the repeat was reached; for convergence, the step it began. */
	step: number;
	seq: number;
	nodeId: string;
	/** e.g. "Fixed point of period 1 reached at step 6". */
	message: string;
}

/** The run map: the active (or last) run of the network. */
export interface RunState {
	runId: string;
	status: string;
	startedAt: string;
	step: number;
	runningNodeIds: string[];
	/** Seqs of the invocations running now (a display showing every n-th step marks its own). */
	runningSeqs?: number[];
	/** When a prompt may replace this run (ISO): startedAt + lockoutSeconds, kept current. */
	lockoutUntil?: string;
	stopCause?: string;
	/** Why the run ended with an error, for people. */
	error?: string;
	/** While the run is paused (status 'paused'): since when, ISO. */
	pausedAt?: string;
	/** Estimated spend so far in US dollars (hosted models that report costs). */
	spendUsd?: number;
	input?: { kind: string; text?: string; url?: string };
	analysis?: FeedAnalysis;
}

/**
 * A feed value as a reader may find it: the `Sure` fields are always there, the rest may be
 * missing, because a feed doc outlives the server version that wrote it and readers must
 * render whatever arrives.
 */
export type Received<T, Sure extends keyof T> = Pick<T, Sure> & Partial<Omit<T, Sure>>;

/** The run map as the canvas, displays and phones read it. */
export type FeedRun = Received<RunState, 'runId' | 'status' | 'step' | 'runningNodeIds'>;

/** A card as the canvas, displays and phones read it. */
export type FeedCard = Received<Card, 'id' | 'runId' | 'nodeId' | 'modelId' | 'seq' | 'kind'>;
