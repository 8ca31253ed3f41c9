import { ownRun, type EngineEventSource, type RunEndedEvent, type RunRef } from '../engine/events';
import { AppError } from '../errors';
import type { Payload } from '../shared/platforms/types';
import type { AudienceSettings } from './settings';
import type { StartablePrompt } from './prompt-queue';

/** The slice of the engine the queue needs, so it can be tested with a fake. */
export interface QueueEngine {
	/** Rejects with a 429 AppError while a run limit is reached (the server's, or the network owner's). */
	start(networkId: string, input: Payload, startedBy: string | null): Promise<{ runId: string }>;
	/** Seconds before a prompt may replace the active run (0: now). */
	lockoutSeconds(networkId: string): number;
	/** The network's active run: a facilitator who paused it holds the queue too. */
	activeRun(networkId: string): { paused: boolean } | null;
	/** Runs resumed and ended: a queue held by a pause, or by the run limits, looks again. */
	events: EngineEventSource;
}

/**
 * How long a queue waits for a place under the run limits before it looks again by itself;
 * a run ending anywhere wakes it sooner.
 */
export const CAPACITY_RETRY_MS = 30_000;

/** The slice of the prompt queue the scheduler drives. */
export interface SchedulerQueue {
	next(networkId: string, mode: AudienceSettings['queueMode']): Promise<StartablePrompt | undefined>;
	claim(prompt: StartablePrompt): Promise<boolean>;
	unclaim(prompt: StartablePrompt): Promise<void>;
	markStarted(networkId: string, promptId: string, runId: string): Promise<void>;
	markRejected(networkId: string, promptId: string, reason: string): Promise<void>;
}

export interface SchedulerOptions {
	queue: SchedulerQueue;
	engine: QueueEngine;
	mode(networkId: string): Promise<AudienceSettings['queueMode']>;
	/** Wait after an unexpected failure (a database blip) before trying again. */
	retryMs?: number;
	/** Unexpected failures of one prompt before it is rejected rather than retried forever. */
	maxAttempts?: number;
	/** Least time between two runs started from the queue, even with a lockout of 0. */
	minGapMs?: number;
	now?: () => number;
	log?: { error(message: string, ...details: unknown[]): void };
	/**
	 * Cluster mode: whether this process schedules the network's queue now (where its run is
	 * held; server/cluster/prompt-placement.ts). Absent (the single process): always.
	 */
	decides?(networkId: string): Promise<boolean>;
}

/**
 * Starts queued prompts as runs, in order, whenever the network's lockout allows. One timer
 * per network that has work, none while idle: `poke` after anything that may make work
 * (a new prompt, an approval, a mode change); the scheduler then sleeps until the lockout
 * ends, starts the next prompt, and goes idle when nothing is startable. A queue held by a
 * paused run sleeps without a timer until the engine says the run resumed or ended.
 *
 * A run a facilitator starts directly also resets the lockout; the timer simply wakes, sees
 * the lockout again and sleeps on, so queued prompts keep waiting their turn.
 */
export class PromptScheduler {
	private timers = new Map<string, ReturnType<typeof setTimeout>>();
	private running = new Map<string, Promise<void>>();
	/** Networks poked while their tick was running: tick again right after. */
	private again = new Set<string>();
	private failures = new Map<string, number>();
	private lastStart = new Map<string, number>();
	/** Networks whose next prompt waits for a place under the run limits. */
	private waitingForCapacity = new Set<string>();
	/** Networks whose next prompt waits for their paused run to resume (or end). */
	private waitingForResume = new Set<string>();
	private closed = false;
	private readonly retryMs: number;
	private readonly maxAttempts: number;
	private readonly minGapMs: number;
	private readonly now: () => number;
	private readonly log: NonNullable<SchedulerOptions['log']>;

	constructor(private options: SchedulerOptions) {
		this.retryMs = options.retryMs ?? 5000;
		this.maxAttempts = options.maxAttempts ?? 3;
		this.minGapMs = options.minGapMs ?? 1000;
		this.now = options.now ?? Date.now;
		this.log = options.log ?? console;
		options.engine.events.on('resumed', this.onResumed);
		options.engine.events.on('ended', this.onEnded);
	}

	// The queue waits on the network's own run (lane 0); an experiment's other lanes are not its business.
	private onResumed = (event: RunRef) => {
		if (ownRun(event) && this.waitingForResume.delete(event.networkId)) this.poke(event.networkId);
	};

	/** A paused run that ended holds its queue no longer; and a place under the run limits came free (any lane's). */
	private onEnded = (event: RunEndedEvent) => {
		if (ownRun(event) && this.waitingForResume.delete(event.networkId)) this.poke(event.networkId);
		this.capacityFreed();
	};

	/** Look at the network's queue now. */
	poke(networkId: string): void {
		if (this.closed) return;
		if (this.running.has(networkId)) {
			this.again.add(networkId);
			return;
		}
		this.schedule(networkId, 0);
	}

	/** A run ended somewhere: queues that waited for a place under the run limits look again. */
	private capacityFreed(): void {
		const waiting = [...this.waitingForCapacity];
		this.waitingForCapacity.clear();
		for (const networkId of waiting) this.poke(networkId);
	}

	/** Networks with a timer or a tick in progress (for tests and diagnostics). */
	get busy(): string[] {
		return [...new Set([...this.timers.keys(), ...this.running.keys()])];
	}

	/** Clears every timer and waits for ticks in progress; nothing starts afterwards. */
	async close(): Promise<void> {
		this.closed = true;
		this.options.engine.events.off('resumed', this.onResumed);
		this.options.engine.events.off('ended', this.onEnded);
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
		this.again.clear();
		this.waitingForCapacity.clear();
		this.waitingForResume.clear();
		await Promise.all(this.running.values());
	}

	private schedule(networkId: string, ms: number) {
		const existing = this.timers.get(networkId);
		if (existing) clearTimeout(existing);
		const timer = setTimeout(() => {
			this.timers.delete(networkId);
			this.run(networkId);
		}, ms);
		timer.unref?.();
		this.timers.set(networkId, timer);
	}

	private run(networkId: string) {
		const done = this.tick(networkId)
			.catch((error) => {
				this.log.error(`[audience] queue of ${networkId}: scheduling failed`, error);
				return this.retryMs;
			})
			.then((wait) => {
				this.running.delete(networkId);
				if (this.closed) return;
				if (this.again.delete(networkId)) this.schedule(networkId, 0);
				else if (wait !== null) this.schedule(networkId, wait);
			});
		this.running.set(networkId, done);
	}

	/** Starts what may start now; returns how long to sleep before looking again, or null when idle. */
	private async tick(networkId: string): Promise<number | null> {
		while (!this.closed) {
			// Another process schedules this network (it holds its run): it was told, so this one idles.
			if (this.options.decides && !(await this.options.decides(networkId))) return null;
			const mode = await this.options.mode(networkId);
			const prompt = await this.options.queue.next(networkId, mode);
			if (!prompt) return null;
			// A facilitator who pauses the loop has taken the floor: prompts wait for the resume.
			if (this.options.engine.activeRun(networkId)?.paused) {
				this.waitingForResume.add(networkId);
				return null;
			}
			const lockout = this.options.engine.lockoutSeconds(networkId);
			if (lockout > 0) return Math.ceil(lockout * 1000);
			// With a lockout of 0 every prompt would replace the last at once; a short gap lets
			// each run show something before the next one takes over.
			const sinceLast = this.now() - (this.lastStart.get(networkId) ?? -Infinity);
			if (sinceLast < this.minGapMs) return this.minGapMs - sinceLast;
			if (!(await this.options.queue.claim(prompt))) continue; // withdrawn or rejected meanwhile
			try {
				const { runId } = await this.options.engine.start(networkId, { kind: 'text', text: prompt.text }, prompt.userId);
				this.failures.delete(prompt.id);
				this.lastStart.set(networkId, this.now());
				await this.options.queue.markStarted(networkId, prompt.id, runId);
			} catch (error) {
				// The server (or the network's owner) runs as many runs as it may: the prompt keeps
				// its place and starts once a run ends, instead of failing.
				if (error instanceof AppError && error.status === 429) {
					await this.options.queue.unclaim(prompt);
					this.waitingForCapacity.add(networkId);
					return CAPACITY_RETRY_MS;
				}
				// The network cannot take this prompt (no start node, the start node takes images,
				// the owner lacks a key…): say so on the prompt and go on with the next.
				if (error instanceof AppError && error.status < 500) {
					await this.options.queue.markRejected(networkId, prompt.id, error.message);
					continue;
				}
				const attempts = (this.failures.get(prompt.id) ?? 0) + 1;
				if (attempts >= this.maxAttempts) {
					this.failures.delete(prompt.id);
					this.log.error(`[audience] prompt ${prompt.id} could not start`, error);
					await this.options.queue.markRejected(networkId, prompt.id, 'The run could not start.');
					continue;
				}
				this.failures.set(prompt.id, attempts);
				await this.options.queue.unclaim(prompt);
				throw error;
			}
		}
		return null;
	}
}
