import { setMaxListeners } from 'node:events';
import { fingerprintStored, type OutputFingerprint } from '../analysis/fingerprint';
import { LoopWatcher, type PastOutput } from '../analysis/loop-watcher';
import type { StopCause, StoredPayload } from '../db/schema';
import { PlatformError } from '../platforms/platform';
import { retryDelayMs, shouldRetry, sleep, withTimeout, type RetryPolicy } from '../platforms/retry';
import { appendCards, updateRunState, type Card, type FeedWriter } from './feed';
import type { Arrival, PendingInvocation, RunLedger } from './ledger';
import { payloadView } from './payloads';
import { budgetExhausted, fanOutTargets, nextStartAtMs, nextStep, pendingDrops } from './policy';
import type { RunSettings } from './settings';

/** The wiring a run follows: its graph snapshot, reduced to what scheduling needs. */
export interface RunPlan {
	runId: string;
	networkId: string;
	startedAt: Date;
	settings: RunSettings;
	/** nodeId → modelId */
	nodes: ReadonlyMap<string, string>;
	edges: readonly { source: string; target: string }[];
	/**
	 * The least time between the previous start and a start of this model, by model id, that
	 * the server allows whatever the pacing (hosted models have one; built-in ones none).
	 */
	stepFloorMs?: ReadonlyMap<string, number>;
}

/** Where the run stands when the controller takes over (a fresh run, or one resumed). */
export interface RunStart {
	pending: PendingInvocation[];
	started: number;
	completed: number;
	spendUsd: number;
	/** Resumed after a restart while paused: it stays paused. */
	paused?: boolean;
	/** Completed outputs so far, in seq order (a resumed run), for loop detection. */
	history?: PastOutput[];
	/**
	 * When the run last started an invocation (a run resumed after a restart): pacing goes on
	 * from then, not from the restart, so a restart never lets a step go early.
	 */
	lastStartedAt?: Date | null;
}

export interface InvocationOutcome {
	output: StoredPayload;
	requestId?: string;
	costUsd?: number;
	metrics?: Record<string, number>;
	/** Exact hash and local fingerprint, computed where the output's bytes were in memory. */
	fingerprint?: OutputFingerprint;
}

export interface RunControllerDeps {
	ledger: RunLedger;
	feed: FeedWriter;
	/** One attempt at one invocation; rejects on failure or when `signal` aborts. */
	invoke(invocation: PendingInvocation, signal: AbortSignal): Promise<InvocationOutcome>;
	/**
	 * Runs one attempt (marking it running, the call, recording it) when the invocation gets its
	 * turn: the engine's step gate, shared by every run, for built-in models. Rejects with the
	 * signal's reason if the run ends first. Without it, attempts go at once.
	 */
	inTurn?<T>(invocation: PendingInvocation, signal: AbortSignal, attempt: () => Promise<T>): Promise<T>;
	/**
	 * Told once when the run should end by itself (dead end, budget, error, fixed point);
	 * for errors, `reason` says what went wrong.
	 */
	onStop(cause: StopCause, reason?: string): void;
	now?: () => number;
	random?: () => number;
	retry?: Partial<RetryPolicy>;
	log?: { error(message: string, ...details: unknown[]): void };
	/** Told of each card as it goes to the feed (displays beyond the feed, like Vestaboards). */
	onCard?(card: Card): void;
	/** Told when invocations started or one failed (not recorded in the database yet for starts). */
	onInvocations?(): void;
}

/**
 * One active run: owns its pending queue, its running invocations, its timers (pacing and
 * max duration) and the AbortController every model call listens to. `close()` clears the
 * timers and aborts the calls; from then on the controller neither records nor schedules
 * anything, and the ledger refuses writes for a run that is no longer running, so a late
 * result of a replaced run can never land anywhere.
 *
 * `pause()` holds every new start (and drops the pacing timer); invocations already running
 * finish, are recorded and fan out into the queue as usual. The max-duration budget and the
 * pacing schedule keep counting wall-clock time while paused: the budget bounds how long a
 * run holds the network and the owner's keys, and a paused run still does both (it blocks
 * prompts through the lockout and is what a new start replaces).
 */
export class RunController {
	private state: 'active' | 'closed' = 'active';
	private paused: boolean;
	private pending: PendingInvocation[];
	private readonly running = new Map<string, PendingInvocation>();
	private started: number;
	private completed: number;
	private spendUsd: number;
	/** Live fixed-point, cycle and convergence detection (issue 7). */
	private readonly watcher: LoopWatcher;
	private readonly abort = new AbortController();
	private pacingTimer: ReturnType<typeof setTimeout> | null = null;
	private durationTimer: ReturnType<typeof setTimeout> | null = null;
	/** The last start, for recomputing the next one when the pacing changes. */
	private lastStart: { atMs: number; elapsedMs: number } | null = null;
	/** Completions and failures are recorded one at a time, so drops see a settled queue. */
	private recording: Promise<void> = Promise.resolve();
	private readonly inFlight = new Set<Promise<void>>();
	private readonly now: () => number;
	private retry: RetryPolicy;

	constructor(
		readonly plan: RunPlan,
		start: RunStart,
		private deps: RunControllerDeps
	) {
		this.pending = [...start.pending].sort((a, b) => a.seq - b.seq);
		this.started = start.started;
		this.completed = start.completed;
		this.spendUsd = start.spendUsd;
		// A recovered history is the run's newest outputs (run-writer RECOVERED_HISTORY): its steps are the last ones completed.
		const history = start.history ?? [];
		this.watcher = new LoopWatcher(history, { nodes: plan.nodes.size, firstStep: Math.max(1, start.completed - history.length + 1) });
		this.paused = start.paused ?? false;
		if (start.lastStartedAt) {
			const atMs = start.lastStartedAt.getTime();
			this.lastStart = { atMs, elapsedMs: atMs - plan.startedAt.getTime() };
		}
		// Every call in flight listens on the run's signal (its timeout, its turn at the step
		// gate, the provider client): up to 32 calls, a few listeners each, is no leak.
		setMaxListeners(MAX_CALL_LISTENERS, this.abort.signal);
		this.now = deps.now ?? Date.now;
		this.retry = this.retryPolicy(plan.settings);
	}

	get runId(): string {
		return this.plan.runId;
	}

	get isActive(): boolean {
		return this.state === 'active';
	}

	get isPaused(): boolean {
		return this.paused;
	}

	/** Invocations completed, all told (before a restart too). */
	get completedSteps(): number {
		return this.completed;
	}

	/** Read through a getter so TypeScript does not narrow it across awaits. */
	private get closed(): boolean {
		return this.state === 'closed';
	}

	/** For tests and the run map: what is waiting and what is running. */
	get snapshot() {
		return {
			pending: this.pending.map((p) => p.seq),
			running: [...this.running.values()].map((p) => p.seq),
			started: this.started,
			completed: this.completed,
			paused: this.paused,
			/** When pacing lets the next start go (0: whenever there is room). */
			nextStartAt: this.nextStartAt()
		};
	}

	begin(): void {
		this.armDurationTimer();
		this.pump();
	}

	/** Holds every new start until `resume()`; what is running finishes. False if already paused or closed. */
	pause(): boolean {
		if (this.closed || this.paused) return false;
		this.paused = true;
		this.clearPacingTimer();
		return true;
	}

	/** Lets starts go again (at once if pacing allows). False if not paused or closed. */
	resume(): boolean {
		if (this.closed || !this.paused) return false;
		this.paused = false;
		this.pump();
		return true;
	}

	/**
	 * Takes new settings on the live run (a facilitator slowing the loop down mid-performance):
	 * pacing, concurrency, budgets, fixed-point stopping, error handling and retry limits apply
	 * from now on. The next start is recomputed from the last one under the new pacing, the
	 * duration timer is re-armed, and whatever may now start, starts. A lower pending cap
	 * trims the queue at the next arrival, not at once: nothing is dropped without a reason.
	 */
	updateSettings(settings: RunSettings): void {
		if (this.closed) return;
		this.plan.settings = settings;
		this.retry = this.retryPolicy(settings);
		this.armDurationTimer();
		this.pump();
	}

	/** Stops everything this run scheduled: timers cleared, model calls aborted. Idempotent. */
	close(): void {
		if (this.closed) return;
		this.state = 'closed';
		this.clearPacingTimer();
		if (this.durationTimer) clearTimeout(this.durationTimer);
		this.durationTimer = null;
		this.abort.abort(new Error(`Run ${this.plan.runId} ended.`));
	}

	/** Resolves when every invocation this controller started has settled (after close, promptly). */
	async settled(): Promise<void> {
		while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
		await this.recording;
	}

	private end(cause: StopCause, reason?: string): void {
		if (this.closed) return;
		this.close();
		this.deps.onStop(cause, reason);
	}

	/** Starts whatever may start now, and sets a timer for when pacing lets the next one go. */
	private pump = (): void => {
		if (this.closed) return;
		this.clearPacingTimer();
		const { settings } = this.plan;
		let startedAny = false;
		for (;;) {
			const now = this.now();
			const progress = { started: this.started, elapsedMs: now - this.plan.startedAt.getTime(), spendUsd: this.spendUsd };
			const step = nextStep({
				paused: this.paused,
				pending: this.pending.length,
				running: this.running.size,
				maxConcurrent: settings.maxConcurrent,
				budgetExhausted: budgetExhausted(progress, settings.budgets),
				msUntilNextStart: this.nextStartAt() - now
			});
			if (step.action === 'end') {
				if (startedAny) this.showRunning();
				return this.end(step.cause);
			}
			if (step.action === 'wait') this.pacingTimer = setTimeout(this.pump, step.ms);
			if (step.action !== 'start') break;
			const invocation = this.pending.shift()!;
			this.running.set(invocation.id, invocation);
			this.started++;
			this.lastStart = { atMs: now, elapsedMs: progress.elapsedMs };
			startedAny = true;
			const execution = this.execute(invocation).catch((error) => this.crashed(error));
			this.inFlight.add(execution);
			void execution.finally(() => this.inFlight.delete(execution));
		}
		if (startedAny) this.showRunning();
	};

	private async execute(invocation: PendingInvocation): Promise<void> {
		for (let attempt = invocation.attempts + 1; ; attempt++) {
			let retryInMs: number | null;
			try {
				retryInMs = await (this.deps.inTurn ? this.deps.inTurn(invocation, this.abort.signal, () => this.attempt(invocation, attempt)) : this.attempt(invocation, attempt));
			} catch (error) {
				if (!this.closed) throw error;
				return this.forget(invocation); // the run ended while this waited for its turn
			}
			if (retryInMs === null) return;
			try {
				await sleep(retryInMs, this.abort.signal);
			} catch {
				return; // closed while waiting
			}
		}
	}

	/** One attempt, from marking it running to recording its outcome; or how long to wait before the next. */
	private async attempt(invocation: PendingInvocation, attempt: number): Promise<number | null> {
		const marked = await this.deps.ledger.markRunning(this.plan.runId, invocation.id, attempt, new Date(this.now()));
		if (!marked || this.closed) {
			this.forget(invocation);
			return null;
		}
		let outcome: InvocationOutcome;
		try {
			outcome = await withTimeout(this.abort.signal, this.retry.timeoutMs, (s) => this.deps.invoke(invocation, s));
		} catch (error) {
			if (this.closed) return null;
			if (shouldRetry(attempt, this.retry, error)) return retryDelayMs(attempt, this.retry, error, this.deps.random);
			await this.record(() => this.recordFailure(invocation, error));
			return null;
		}
		await this.record(() => this.recordCompletion(invocation, outcome));
		return null;
	}

	private async recordCompletion(invocation: PendingInvocation, outcome: InvocationOutcome): Promise<void> {
		if (this.closed) return;
		const { settings } = this.plan;
		const arrivals: Arrival[] = fanOutTargets(this.plan.edges, invocation.nodeId)
			.filter((nodeId) => this.plan.nodes.has(nodeId))
			.map((nodeId) => ({ nodeId, modelId: this.plan.nodes.get(nodeId)! }));
		const drops = pendingDrops(this.pending.length, arrivals.length, settings.pendingCap);
		// Taken out now, before the write, so pacing cannot start one that is being dropped.
		const dropped = this.pending.splice(0, drops.existing);
		// The engine fingerprints outputs while it holds their bytes; text needs no bytes.
		const fingerprint = outcome.fingerprint ?? fingerprintStored(outcome.output);
		const at = new Date(this.now());
		const queued = await this.deps.ledger.complete(
			this.plan.runId,
			invocation,
			{
				output: outcome.output,
				exactHash: fingerprint.exactHash,
				...(outcome.output.kind !== 'text' && fingerprint.vector ? { fingerprint: { embedder: fingerprint.embedder, vector: fingerprint.vector } } : {}),
				requestId: outcome.requestId,
				costUsd: outcome.costUsd,
				metrics: outcome.metrics,
				at
			},
			arrivals,
			{ existing: dropped.map((d) => d.id), arriving: drops.arriving }
		);
		if (queued === null) return this.forget(invocation); // the run ended first: nothing was recorded
		this.running.delete(invocation.id);
		this.completed++;
		this.spendUsd += outcome.costUsd ?? 0;
		this.pending.push(...queued);
		const card: Card = {
			id: invocation.id,
			runId: this.plan.runId,
			nodeId: invocation.nodeId,
			modelId: invocation.modelId,
			seq: invocation.seq,
			...payloadView(outcome.output),
			createdAt: at.toISOString()
		};
		const step = this.completed;
		const runningNodeIds = this.runningNodeIds();
		const runningSeqs = this.runningSeqs();
		const spendUsd = this.spendUsd;
		const { observation, changed } = this.watcher.observe(invocation.seq, invocation.nodeId, fingerprint);
		// `analysis: undefined` clears the field (a convergence that went away).
		const analysis = changed === undefined ? {} : { analysis: changed ?? undefined };
		this.deps.feed.write((doc) => {
			appendCards(doc, [card]);
			updateRunState(doc, this.plan.runId, { step, runningNodeIds, runningSeqs, ...(spendUsd > 0 ? { spendUsd } : {}), ...analysis });
		});
		this.deps.onCard?.(card);
		if (this.closed) return;
		// Any exact repeat stops it, whatever the period: a cycle is a fixed point of the loop taken p times.
		if (settings.stopOnFixedPoint && observation.period !== undefined) return this.end('fixed_point');
		this.pump();
	}

	private async recordFailure(invocation: PendingInvocation, error: unknown): Promise<void> {
		if (this.closed) return;
		const message = error instanceof Error ? error.message : String(error);
		const recorded = await this.deps.ledger.fail(this.plan.runId, invocation.id, message, new Date(this.now()));
		this.forget(invocation);
		if (!recorded || this.closed) return;
		this.showRunning();
		// A refused key fails every call after it the same way: stop whatever onError says.
		if (this.plan.settings.onError === 'stop' || stopsRun(error)) return this.end('error', message);
		this.pump();
	}

	/** Runs `task` after the completions and failures recorded before it. */
	private record(task: () => Promise<void>): Promise<void> {
		const next = this.recording.then(task);
		this.recording = next.catch(() => {});
		return next;
	}

	private forget(invocation: PendingInvocation) {
		this.running.delete(invocation.id);
	}

	/** A bug or a database failure: the run cannot be trusted to go on, so it ends with `error`. */
	private crashed(error: unknown) {
		if (this.closed) return;
		(this.deps.log ?? console).error(`[engine] run ${this.plan.runId} failed`, error);
		this.end('error', 'The run hit an internal error and stopped; the server log has details.');
	}

	private runningNodeIds(): string[] {
		return [...new Set([...this.running.values()].map((r) => r.nodeId))];
	}

	private runningSeqs(): number[] {
		return [...this.running.values()].map((r) => r.seq).sort((a, b) => a - b);
	}

	private showRunning() {
		const runningNodeIds = this.runningNodeIds();
		const runningSeqs = this.runningSeqs();
		this.deps.feed.write((doc) => updateRunState(doc, this.plan.runId, { runningNodeIds, runningSeqs }));
		this.deps.onInvocations?.();
	}

	/** The max-duration budget's timer, from the run's start (re-armed when the budget changes). */
	private armDurationTimer() {
		if (this.durationTimer) clearTimeout(this.durationTimer);
		this.durationTimer = null;
		const maxSeconds = this.plan.settings.budgets.maxDurationSeconds;
		if (maxSeconds == null) return;
		const left = this.plan.startedAt.getTime() + maxSeconds * 1000 - this.now();
		this.durationTimer = setTimeout(() => this.end('budget'), Math.max(0, left));
	}

	private retryPolicy(settings: RunSettings): RetryPolicy {
		return {
			maxAttempts: settings.maxAttempts,
			baseDelayMs: 1000,
			maxDelayMs: 30_000,
			timeoutMs: settings.invocationTimeoutSeconds * 1000,
			...this.deps.retry
		};
	}

	/** When the oldest pending invocation may start: pacing from the last start, and its model's floor. */
	private nextStartAt(): number {
		const next = this.pending[0];
		const floor = next ? (this.plan.stepFloorMs?.get(next.modelId) ?? 0) : 0;
		return nextStartAtMs(this.lastStart, this.plan.settings.pacing, floor);
	}

	private clearPacingTimer() {
		if (this.pacingTimer) clearTimeout(this.pacingTimer);
		this.pacingTimer = null;
	}
}

const MAX_CALL_LISTENERS = 32 * 4;

const stopsRun = (error: unknown) => error instanceof PlatformError && error.stopsRun;
