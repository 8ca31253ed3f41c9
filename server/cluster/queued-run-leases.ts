import { DelayedError, Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Cluster } from './cluster';
import type { Holding, Log, RunHost, RunLeases } from './run-leases';

// Apart from run-leases.ts so that a single process never loads BullMQ (and ioredis under it):
// their import was a good part of every server's start. app.ts imports this in cluster mode only.

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
