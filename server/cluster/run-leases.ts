import { DelayedError, Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Cluster } from './cluster';

/** Why a process stopped holding a run. */
export type HoldEnd =
	/** The run ended (by itself, or stopped, paused runs included): nobody needs to hold it. */
	| 'ended'
	/** This process is shutting down: another should take the run over at once. */
	| 'released'
	/** Another process took the run over (this one was frozen or cut off): it wrote nothing more. */
	| 'lost';

/** A run held by this process; `done` settles when it no longer holds it. */
export interface Holding {
	readonly done: Promise<HoldEnd>;
}

/** What the leases ask of the engine (server/engine/engine.ts). */
export interface RunHost {
	/**
	 * Takes a running run over here (its fencing token bumped) and puts it in motion from its
	 * stored state; null when it is not running (nothing to hold).
	 */
	take(runId: string): Promise<Holding | null>;
	/** The lease of a run held here could not be renewed: stop holding it at once, writing nothing. */
	lost(runId: string): void;
}

/**
 * Who holds each running run. In the single process, this one does, at once; in cluster mode,
 * whichever process takes the run's BullMQ job. Either way the engine's `take` does the work,
 * so both shapes resume a run from the same stored state through the same code.
 */
export interface RunLeases {
	/** A run was recorded running: have it held (here at once, or by whoever takes its job). */
	place(runId: string): Promise<void>;
	/** Start-up: every run the database marks running gets a holder. Returns how many this call placed. */
	adopt(runIds: readonly string[]): Promise<number>;
	/** Takes no more runs; resolves once every run held here has been handed back. */
	close(): Promise<void>;
}

type Log = Pick<Console, 'warn' | 'error'>;

/** The single process: every run is held here, taken the moment it is placed. */
export class LocalRunLeases implements RunLeases {
	constructor(
		private readonly host: RunHost,
		private readonly log: Log = console
	) {}

	async place(runId: string): Promise<void> {
		await this.host.take(runId);
	}

	async adopt(runIds: readonly string[]): Promise<number> {
		let taken = 0;
		for (const runId of runIds) {
			try {
				if (await this.host.take(runId)) taken++;
			} catch (error) {
				// Left running in the database: a stop still ends it, and the next start replaces it.
				this.log.error(`[engine] could not resume run ${runId}`, error);
			}
		}
		return taken;
	}

	async close(): Promise<void> {}
}

export interface QueuedLeaseOptions {
	/**
	 * How long a holder's lock lasts without renewal (ms): a dead or frozen holder's run is taken
	 * over within about 1.5× this (the lock expires, then the next stalled check finds it).
	 */
	leaseMs: number;
	/** Runs this process holds at once (the server's run limit). */
	concurrency: number;
	log?: Log;
}

/** BullMQ's own attempts are never used: a stall re-queues the job and a failure removes it. */
const NEVER_FAILS = Number.MAX_SAFE_INTEGER;
/** Wait before another try at taking a run whose takeover failed (a database blip). */
const RETAKE_DELAY_MS = 1000;

/**
 * Cluster mode: one BullMQ job per running run (job id = run id) is its lease. Every process
 * runs a worker; the worker holding the job holds the run, its lock renewed every quarter of
 * `leaseMs` while the process lives. A holder that dies (or freezes) stops renewing; another
 * worker's stalled check puts the job back and a live worker takes it, bumping the run's
 * fencing token, so the old holder's late writes match nothing. Stalls never fail the job.
 *
 * The job resolves (and is removed) when the run ends; a process shutting down hands its jobs
 * back to the queue for another to take at once.
 */
export class QueuedRunLeases implements RunLeases {
	private readonly queue: Queue;
	private readonly worker: Worker;
	private readonly log: Log;
	private closing: Promise<void> | null = null;

	constructor(
		cluster: Pick<Cluster, 'prefix' | 'connection'>,
		private readonly host: RunHost,
		options: QueuedLeaseOptions
	) {
		this.log = options.log ?? console;
		const prefix = `${cluster.prefix}:bull`;
		this.queue = new Queue('runs', { connection: cluster.connection('runs-queue'), prefix });
		this.queue.on('error', (error) => this.log.warn(`[runs] queue: ${error.message}`));
		this.worker = new Worker('runs', (job, token) => this.hold(job, token), {
			connection: cluster.connection('runs-worker'),
			prefix,
			concurrency: Math.max(1, options.concurrency),
			lockDuration: options.leaseMs,
			lockRenewTime: Math.max(100, Math.floor(options.leaseMs / 4)),
			stalledInterval: Math.max(100, Math.floor(options.leaseMs / 2)),
			maxStalledCount: NEVER_FAILS,
			// Taking runs starts with `adopt` (start-up): a process that does not resume runs (the
			// experiment CLI beside a server) only places them, for the servers to hold.
			autorun: false
		});
		this.worker.on('error', (error) => this.log.warn(`[runs] worker: ${error.message}`));
		// The lock is gone (frozen past it, or Redis unreachable long enough): another process may
		// hold the run already, so this one stops at once rather than at its next refused write.
		this.worker.on('lockRenewalFailed', (jobIds) => jobIds.forEach((id) => this.host.lost(id)));
	}

	async place(runId: string): Promise<void> {
		await this.add([runId]);
	}

	async adopt(runIds: readonly string[]): Promise<number> {
		// Adding by job id is idempotent while the job exists; one lost with Redis is added again.
		await this.add(runIds);
		if (!this.worker.isRunning() && !this.closing) void this.worker.run().catch((error) => this.log.error('[runs] the worker stopped', error));
		return runIds.length;
	}

	private async add(runIds: readonly string[]) {
		if (!runIds.length) return;
		await this.queue.addBulk(
			runIds.map((runId) => ({ name: 'run', data: {}, opts: { jobId: runId, removeOnComplete: true, removeOnFail: true, attempts: 1 } }))
		);
	}

	/** The job's processor: holds the run until it ends here. */
	private async hold(job: Job, token: string | undefined): Promise<void> {
		const runId = job.id!;
		let holding: Holding | null;
		try {
			holding = await this.host.take(runId);
		} catch (error) {
			this.log.error(`[runs] taking run ${runId} over failed; trying again`, error);
			await job.moveToDelayed(Date.now() + RETAKE_DELAY_MS, token);
			throw new DelayedError();
		}
		if (!holding) return; // it ended: the job goes
		const end = await holding.done;
		if (end === 'ended') return;
		// Shutting down: back to the queue, for a live process to take now rather than after a stall.
		if (end === 'released') await job.moveToWait(token).catch((error) => this.log.warn(`[runs] handing back ${runId}: ${error.message}`));
		// Lost: the job is another worker's now; leave it alone (neither completed nor failed).
		throw new WaitingError();
	}

	close(): Promise<void> {
		return (this.closing ??= (async () => {
			await this.worker.close();
			await this.queue.close();
		})());
	}
}
