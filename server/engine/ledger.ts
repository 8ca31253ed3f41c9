import type { PastOutput } from '../analysis/loop-watcher';
import type { StopCause, StoredPayload } from '../db/schema';

/**
 * What RunController records, as an interface: the database's RunWriter (run-writer.ts)
 * in the app, an in-memory one in unit tests. Every method is one invocation state transition and
 * answers `false`/`null` when the run is no longer running (stopped or replaced meanwhile),
 * which is how a late result is kept out of a run that ended.
 */
export interface PendingInvocation {
	id: string;
	seq: number;
	nodeId: string;
	modelId: string;
	parentSeq: number | null;
	input: StoredPayload;
	/** Attempts already made (an invocation re-queued after a crash keeps its count). */
	attempts: number;
}

export interface Arrival {
	nodeId: string;
	modelId: string;
}

export interface Completion {
	output: StoredPayload;
	/** Normalised content hash (decoded pixels, collapsed whitespace): `invocations.exact_hash`. */
	exactHash?: string;
	/**
	 * An image's or a sound's local fingerprint, kept with the completion so the analysis
	 * page need not decode every asset again (text is re-embedded in microseconds instead).
	 */
	fingerprint?: { embedder: string; vector: readonly number[] };
	requestId?: string;
	costUsd?: number;
	/** What the provider reported about the call (tokens, predict time, ...). */
	metrics?: Record<string, number>;
	at: Date;
}

/** What a run resumes from after a restart. */
export interface Recovered {
	pending: PendingInvocation[];
	started: number;
	completed: number;
	spendUsd: number;
	/** Completed outputs in seq order (the newest, at most detect.ts RUN_WINDOW of them), for loop detection to pick up where it was. */
	history: PastOutput[];
	/** When the latest invocation started (interrupted ones too), for pacing to go on from; null if none did. */
	lastStartedAt: Date | null;
}

/**
 * What the engine records around the controller's transitions: a run's end and its recovery
 * after a restart. tests/engine/ledger-contract.test.ts holds the database ledger and the
 * in-memory one to the same behaviour for all of it.
 */
export interface RunLifecycleLedger extends RunLedger {
	/** Ends a running run: its queued and running invocations → cancelled; false if it was not running. */
	finish(runId: string, cause: StopCause, at?: Date): Promise<boolean>;
	/** Running invocations (interrupted) → queued again, or failed at `maxAttempts`; what the run resumes from. */
	recover(runId: string, maxAttempts: number, at?: Date): Promise<Recovered>;
}

export interface RunLedger {
	/** queued → running, with the attempt number now being made. */
	markRunning(runId: string, invocationId: string, attempts: number, at: Date): Promise<boolean>;
	/**
	 * In one transaction: running → completed, seqs allocated for the arrivals (one per
	 * outgoing edge, all taking this output), `dropExisting` pending ones → dropped, and the
	 * first `dropArriving` arrivals inserted as dropped. Returns the arrivals left queued.
	 */
	complete(
		runId: string,
		invocation: PendingInvocation,
		completion: Completion,
		arrivals: Arrival[],
		drops: { existing: string[]; arriving: number }
	): Promise<PendingInvocation[] | null>;
	/** running → failed, with the error. */
	fail(runId: string, invocationId: string, error: string, at: Date): Promise<boolean>;
}
