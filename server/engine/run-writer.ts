import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connect';
import type { Database, InvocationState, RunStatus, StopCause, StoredPayload } from '../db/schema';
import { randomId } from '../ids';
import { ArrivalClock } from '../arrival-clock';
import type { Arrival, Completion, PendingInvocation, Recovered, RunLifecycleLedger } from './ledger';
import { RUN_WINDOW } from '../analysis/detect';
import { storedExactHash } from '../analysis/exact-hash';
import type { PastOutput } from '../analysis/loop-watcher';
import { compact } from '../analysis/vector';
import { statusFor } from './policy';
import type { InvocationRow } from './run-reader';

/** Thrown inside a transaction to roll it back because the run is no longer running. */
class RunEnded extends Error {}

export interface NewRun {
	networkId: string;
	/** 0 (the network's own run) unless an experiment runs several at once; see migrations/0016_run_lanes. */
	lane?: number;
	startedBy: string | null;
	input: StoredPayload;
	settings: object;
	graph: object;
	first: Arrival;
}

/** A run recorded elsewhere (an export), written as it ended: it is never resumed. */
export interface ImportedRun {
	networkId: string;
	startedBy: string | null;
	input: StoredPayload;
	status: Exclude<RunStatus, 'running'>;
	stopCause: StopCause | null;
	settings: object;
	graph: object;
	startedAt: Date;
	endedAt: Date;
	error: string | null;
}

/** An imported invocation: everything but its ids (new ones are given; seqs are kept). */
export type ImportedInvocation = Omit<InvocationRow, 'id' | 'runId'>;

const json = (value: unknown) => JSON.stringify(value);
const ACTIVE_STATES: InvocationState[] = ['queued', 'running'];
/** Completed outputs a recovered run replays into loop detection: the newest, as many as it keeps. */
export const RECOVERED_HISTORY = RUN_WINDOW;

/** Rows per INSERT while importing (well under Postgres' 65,535 bind parameters). */
const INSERT_BATCH = 500;

/** Where a run stands for its holder: whether it still runs, and whose lease it is under. */
export interface RunStanding {
	status: RunStatus;
	lease: number;
}

/** A run taken over by a process: its fencing token and what it goes on from. */
export interface TakenRun {
	lease: number;
	/** Whether it was taken for the first time (a fresh start) rather than after another holder. */
	first: boolean;
	pausedAt: Date | null;
	/** The settings in force now (a facilitator may have changed them since the start). */
	settings: Record<string, unknown>;
	recovered: Recovered;
}

/** Tries of a start whose insert lost a race with a start of the same network on another process. */
const START_TRIES = 3;
const UNIQUE_VIOLATION = '23505';

/**
 * Start times that never tie in this process (shared by every writer, fenced or not): runs
 * started in one millisecond, such as an experiment's, list newest first in start order.
 */
const runStarts = new ArrivalClock();

/**
 * Every write to `runs` and `invocations` (run-reader.ts has every read). Every seq comes
 * from `runs.next_seq`, bumped in the transaction that inserts the invocations, under the
 * run row's lock: no duplicates, no gaps. Every write first checks (and locks)
 * `status = 'running'`, so once a stop commits nothing more is recorded for that run.
 *
 * A writer made by `holding(lease)` is a run holder's: each of its writes also matches the
 * run's fencing token (`runs.lease`), so once another process took the run over (bumping the
 * token), whatever this one still tries records nothing. The plain writer is for control
 * (stop, pause, settings asked on any process): those are the stored truth the holder follows.
 */
export class RunWriter implements RunLifecycleLedger {
	constructor(
		private db: Db,
		/** The holder's fencing token; null: not fenced. */
		readonly lease: number | null = null
	) {}

	/** The same writer, fenced by a holder's token. */
	holding(lease: number): RunWriter {
		return new RunWriter(this.db, lease);
	}

	/**
	 * Records a new run with its first invocation queued. The running run of the same network
	 * and lane, if any, ends as replaced in the same transaction (one running run per network and
	 * lane is an index); the ids of the runs it ended are returned so their holders can be told.
	 */
	async create(run: NewRun): Promise<{ runId: string; first: PendingInvocation; startedAt: Date; replaced: string[] }> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.createOnce(run);
			} catch (error) {
				// Another process started a run of this lane between our replace and our insert:
				// the next try replaces that one (the last start wins, as within one process).
				if (attempt < START_TRIES && (error as { code?: string }).code === UNIQUE_VIOLATION) continue;
				throw error;
			}
		}
	}

	private async createOnce(run: NewRun): Promise<{ runId: string; first: PendingInvocation; startedAt: Date; replaced: string[] }> {
		const runId = randomId();
		const first: PendingInvocation = { id: randomId(), seq: 1, ...run.first, parentSeq: null, input: run.input, attempts: 0 };
		const startedAt = runStarts.next();
		const replaced = await this.db.transaction().execute(async (tx) => {
			const ended = await tx
				.updateTable('runs')
				.set({ status: statusFor('replaced'), stop_cause: 'replaced', ended_at: startedAt, paused_at: null })
				.where('network_id', '=', run.networkId)
				.where('lane', '=', run.lane ?? 0)
				.where('status', '=', 'running')
				.returning('id')
				.execute();
			const replacedIds = ended.map((r) => r.id);
			if (replacedIds.length) {
				await tx
					.updateTable('invocations')
					.set({ state: 'cancelled', ended_at: startedAt })
					.where('run_id', 'in', replacedIds)
					.where('state', 'in', ACTIVE_STATES)
					.execute();
			}
			await tx
				.insertInto('runs')
				.values({
					id: runId,
					network_id: run.networkId,
					lane: run.lane ?? 0,
					started_by: run.startedBy,
					input: json(run.input),
					settings: json(run.settings),
					graph: json(run.graph),
					next_seq: 2,
					started_at: startedAt
				})
				.execute();
			await this.insertInvocations(tx, runId, [first], 'queued', startedAt);
			return replacedIds;
		});
		return { runId, first, startedAt, replaced };
	}

	async markRunning(runId: string, invocationId: string, attempts: number, at: Date): Promise<boolean> {
		if (this.lease === null) return this.markRunningIn(this.db, runId, invocationId, attempts, at);
		const lease = this.lease;
		return this.db.transaction().execute(async (tx) => {
			// Under a share lock of the run row: a takeover (which bumps the lease) waits for this
			// to commit and then re-queues the invocation, or this waits for it and sees the new lease.
			const held = await tx
				.selectFrom('runs')
				.select('id')
				.where('id', '=', runId)
				.where('status', '=', 'running')
				.where('lease', '=', lease)
				.forShare()
				.executeTakeFirst();
			if (!held) return false;
			return this.markRunningIn(tx, runId, invocationId, attempts, at);
		});
	}

	private async markRunningIn(db: Db | Transaction<Database>, runId: string, invocationId: string, attempts: number, at: Date): Promise<boolean> {
		const result = await db
			.updateTable('invocations')
			.set({ state: 'running', attempts, started_at: at })
			.where('id', '=', invocationId)
			.where('run_id', '=', runId)
			// No need to look at the run: ending it cancels its queued and running invocations in
			// the same transaction, so an invocation still in one of those states has a live run.
			.where('state', 'in', ACTIVE_STATES)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	async complete(
		runId: string,
		invocation: PendingInvocation,
		completion: Completion,
		arrivals: Arrival[],
		drops: { existing: string[]; arriving: number }
	): Promise<PendingInvocation[] | null> {
		try {
			return await this.db.transaction().execute(async (tx) => {
				// The run row's counters go up with the completion, so nothing ever counts the invocations.
				const firstSeq = await this.allocateSeqs(tx, runId, arrivals.length, { completed: 1, spendUsd: completion.costUsd ?? 0 });
				const done = await tx
					.updateTable('invocations')
					.set({
						state: 'completed',
						output: json(completion.output),
						exact_hash: completion.exactHash ?? null,
						provider_request_id: completion.requestId ?? null,
						cost_estimate: completion.costUsd ?? null,
						metrics: completion.metrics ? json(completion.metrics) : null,
						ended_at: completion.at
					})
					.where('id', '=', invocation.id)
					.where('state', '=', 'running')
					.executeTakeFirst();
				if (done.numUpdatedRows === 0n) throw new RunEnded();
				if (completion.fingerprint) {
					await tx
						.insertInto('output_fingerprints')
						.values({
							invocation_id: invocation.id,
							embedder: completion.fingerprint.embedder,
							vector: json(compact(completion.fingerprint.vector))
						})
						.onConflict((oc) => oc.columns(['invocation_id', 'embedder']).doNothing())
						.execute();
				}
				if (drops.existing.length) {
					await tx
						.updateTable('invocations')
						.set({ state: 'dropped', ended_at: completion.at })
						.where('id', 'in', drops.existing)
						.where('state', '=', 'queued')
						.execute();
				}
				const created = arrivals.map((a, i): PendingInvocation => ({
					id: randomId(),
					seq: firstSeq + i,
					...a,
					parentSeq: invocation.seq,
					input: completion.output,
					attempts: 0
				}));
				const dropped = created.slice(0, drops.arriving);
				const queued = created.slice(drops.arriving);
				await this.insertInvocations(tx, runId, dropped, 'dropped', completion.at);
				await this.insertInvocations(tx, runId, queued, 'queued', completion.at);
				return queued;
			});
		} catch (error) {
			if (error instanceof RunEnded) return null;
			throw error;
		}
	}

	async fail(runId: string, invocationId: string, error: string, at: Date): Promise<boolean> {
		try {
			await this.db.transaction().execute(async (tx) => {
				await this.allocateSeqs(tx, runId, 0);
				const result = await tx
					.updateTable('invocations')
					.set({ state: 'failed', error: error.slice(0, 2000), ended_at: at })
					.where('id', '=', invocationId)
					.where('state', '=', 'running')
					.executeTakeFirst();
				if (result.numUpdatedRows === 0n) throw new RunEnded();
			});
			return true;
		} catch (e) {
			if (e instanceof RunEnded) return false;
			throw e;
		}
	}

	/**
	 * Ends a running run: status, cause (and for errors, what went wrong) recorded, its queued
	 * and running invocations cancelled.
	 */
	async finish(runId: string, cause: StopCause, at = new Date(), error: string | null = null): Promise<boolean> {
		return this.db.transaction().execute(async (tx) => {
			const ended = await tx
				.updateTable('runs')
				.set({ status: statusFor(cause), stop_cause: cause, ended_at: at, error: error?.slice(0, 2000) ?? null, paused_at: null })
				.where('id', '=', runId)
				.where('status', '=', 'running')
				.$if(this.lease !== null, (qb) => qb.where('lease', '=', this.lease!))
				.executeTakeFirst();
			if (ended.numUpdatedRows === 0n) return false;
			await tx
				.updateTable('invocations')
				.set({ state: 'cancelled', ended_at: at })
				.where('run_id', '=', runId)
				.where('state', 'in', ACTIVE_STATES)
				.execute();
			return true;
		});
	}

	/**
	 * Marks a running run paused at `at`, or (null) no longer paused; a restart resumes it as
	 * it was. Pausing keeps the first pause time. False when the run is not running.
	 */
	async setPaused(runId: string, at: Date | null): Promise<boolean> {
		const result = await this.db
			.updateTable('runs')
			.set((eb) => ({ paused_at: at ? eb.fn.coalesce('paused_at', eb.val(at)) : null }))
			.where('id', '=', runId)
			.where('status', '=', 'running')
			.$if(this.lease !== null, (qb) => qb.where('lease', '=', this.lease!))
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	/**
	 * Replaces a running run's settings snapshot: the run follows the network's latest
	 * settings, and so does the same run resumed after a restart.
	 */
	async updateSettings(runId: string, settings: object): Promise<boolean> {
		const result = await this.db
			.updateTable('runs')
			.set({ settings: json(settings) })
			.where('id', '=', runId)
			.where('status', '=', 'running')
			.$if(this.lease !== null, (qb) => qb.where('lease', '=', this.lease!))
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	/**
	 * Runs still marked running (of one network, or all; of one lane, or every lane), oldest
	 * first: what the engine resumes after a restart or finishes as orphans. Here beside the
	 * writes it guards, not in the reader.
	 */
	async runningIds(networkId?: string, lane?: number): Promise<string[]> {
		let query = this.db.selectFrom('runs').select('id').where('status', '=', 'running');
		if (networkId) query = query.where('network_id', '=', networkId);
		if (lane !== undefined) query = query.where('lane', '=', lane);
		return (await query.orderBy('started_at').orderBy('id').execute()).map((r) => r.id);
	}

	/**
	 * After a restart: invocations left running were interrupted; they go back to the queue
	 * (their attempt count kept, so the next start is attempt n+1), or fail past `maxAttempts`.
	 */
	async recover(runId: string, maxAttempts: number, at = new Date()): Promise<Recovered> {
		return this.db.transaction().execute((tx) => this.recoverIn(tx, runId, maxAttempts, at));
	}

	/**
	 * Takes a running run over for `holder`: bumps its fencing token (from then on the previous
	 * holder's writes match nothing) and, in the same transaction, recovers what it goes on
	 * from. Null when the run is not running (it ended meanwhile: nothing to hold).
	 */
	async takeOver(runId: string, holder: string, maxAttempts: number, at = new Date()): Promise<TakenRun | null> {
		return this.db.transaction().execute(async (tx) => {
			const taken = await tx
				.updateTable('runs')
				.set({ lease: sql<number>`lease + 1`, lease_holder: holder, leased_at: at })
				.where('id', '=', runId)
				.where('status', '=', 'running')
				.returning(['lease', 'paused_at', 'settings'])
				.executeTakeFirst();
			if (!taken) return null;
			const lease = Number(taken.lease);
			const recovered = await this.recoverIn(tx, runId, maxAttempts, at);
			return { lease, first: lease === 1, pausedAt: taken.paused_at, settings: taken.settings, recovered };
		});
	}

	/** Whether the run still runs and under which token: a holder whose write was refused asks why. */
	async standing(runId: string): Promise<RunStanding | null> {
		const row = await this.db.selectFrom('runs').select(['status', 'lease']).where('id', '=', runId).executeTakeFirst();
		return row ? { status: row.status, lease: Number(row.lease) } : null;
	}

	private async recoverIn(tx: Transaction<Database>, runId: string, maxAttempts: number, at: Date): Promise<Recovered> {
		{
			// Before the interrupted ones lose their start times below.
			const { last } = await tx
				.selectFrom('invocations')
				.select((eb) => eb.fn.max('started_at').as('last'))
				.where('run_id', '=', runId)
				.executeTakeFirstOrThrow();
			await tx
				.updateTable('invocations')
				.set({ state: 'failed', error: 'Interrupted by a server restart too many times.', ended_at: at })
				.where('run_id', '=', runId)
				.where('state', '=', 'running')
				.where('attempts', '>=', maxAttempts)
				.execute();
			await tx
				.updateTable('invocations')
				.set({ state: 'queued', started_at: null })
				.where('run_id', '=', runId)
				.where('state', '=', 'running')
				.execute();
			// Bounded reads (issue 18: a run of days has millions of invocations; reading them all
			// here took its whole history into memory on every restart and takeover): the counters
			// from the run row, the queue, a count of starts, and the newest RECOVERED_HISTORY
			// outputs' hashes, all loop detection can hold (detect.ts RUN_WINDOW).
			const counters = await tx.selectFrom('runs').select(['completed_steps', 'spend_usd']).where('id', '=', runId).executeTakeFirstOrThrow();
			const { count } = await tx
				.selectFrom('invocations')
				.select((eb) => eb.fn.countAll<string | number>().as('count'))
				.where('run_id', '=', runId)
				.where('attempts', '>', 0)
				// The interrupted ones (queued again above) are about to be started again: counted then.
				.where('state', '<>', 'queued')
				.executeTakeFirstOrThrow();
			const queued = await tx
				.selectFrom('invocations')
				.select(['id', 'seq', 'node_id', 'model_id', 'parent_seq', 'input', 'attempts'])
				.where('run_id', '=', runId)
				.where('state', '=', 'queued')
				.orderBy('seq')
				.execute();
			const newest = await tx
				.selectFrom('invocations')
				// The output only for rows recorded before exact hashes were kept.
				.select(['seq', 'node_id', 'exact_hash', sql<StoredPayload | null>`case when exact_hash is null then output end`.as('output')])
				.where('run_id', '=', runId)
				.where('state', '=', 'completed')
				.where('output', 'is not', null)
				.orderBy('seq', 'desc')
				.limit(RECOVERED_HISTORY)
				.execute();
			const history: PastOutput[] = newest.reverse().map((row) => ({ seq: row.seq, nodeId: row.node_id, exactHash: row.exact_hash ?? storedExactHash(row.output!) }));
			const pending: PendingInvocation[] = queued.map((row) => ({
				id: row.id,
				seq: row.seq,
				nodeId: row.node_id,
				modelId: row.model_id,
				parentSeq: row.parent_seq,
				input: row.input,
				attempts: row.attempts
			}));
			const started = Number(count);
			const completed = counters.completed_steps;
			const spendUsd = Number(counters.spend_usd);
			return { pending, started, completed, spendUsd, history, lastStartedAt: last === null ? null : new Date(last) };
		}
	}

	/**
	 * Records an exported run and its invocations in one transaction (new ids, seqs kept),
	 * marked imported and ended. Returns the new run's id.
	 */
	async importRun(run: ImportedRun, invocations: readonly ImportedInvocation[], at = new Date()): Promise<string> {
		const runId = randomId();
		const maxSeq = invocations.reduce((m, i) => Math.max(m, i.seq), 0);
		await this.db.transaction().execute(async (tx) => {
			await tx
				.insertInto('runs')
				.values({
					id: runId,
					network_id: run.networkId,
					started_by: run.startedBy,
					input: json(run.input),
					status: run.status,
					stop_cause: run.stopCause,
					settings: json(run.settings),
					graph: json(run.graph),
					next_seq: maxSeq + 1,
					completed_steps: invocations.filter((inv) => inv.state === 'completed').length,
					spend_usd: invocations.reduce((sum, inv) => sum + (inv.costEstimate ?? 0), 0),
					started_at: run.startedAt,
					ended_at: run.endedAt,
					error: run.error,
					imported_at: at
				})
				.execute();
			for (let i = 0; i < invocations.length; i += INSERT_BATCH) {
				await tx
					.insertInto('invocations')
					.values(
						invocations.slice(i, i + INSERT_BATCH).map((inv) => ({
							id: randomId(),
							run_id: runId,
							seq: inv.seq,
							node_id: inv.nodeId,
							model_id: inv.modelId,
							parent_seq: inv.parentSeq,
							state: inv.state,
							input: json(inv.input),
							output: inv.output ? json(inv.output) : null,
							exact_hash: inv.exactHash,
							error: inv.error,
							attempts: inv.attempts,
							provider_request_id: inv.providerRequestId,
							cost_estimate: inv.costEstimate,
							metrics: inv.metrics ? json(inv.metrics) : null,
							queued_at: inv.queuedAt,
							started_at: inv.startedAt,
							ended_at: inv.endedAt
						}))
					)
					.execute();
			}
		});
		return runId;
	}

	/**
	 * Bumps next_seq by `count` (and, for a completion, the run's completed steps and spend)
	 * under the run row's lock; throws RunEnded unless running (and, fenced, still ours).
	 */
	private async allocateSeqs(tx: Transaction<Database>, runId: string, count: number, done?: { completed: number; spendUsd: number }): Promise<number> {
		const row = await tx
			.updateTable('runs')
			.set((eb) => ({
				next_seq: eb('next_seq', '+', count),
				...(done ? { completed_steps: eb('completed_steps', '+', done.completed) } : {}),
				...(done?.spendUsd ? { spend_usd: sql<number>`spend_usd + ${done.spendUsd}` } : {})
			}))
			.where('id', '=', runId)
			.where('status', '=', 'running')
			.$if(this.lease !== null, (qb) => qb.where('lease', '=', this.lease!))
			.returning('next_seq')
			.executeTakeFirst();
		if (!row) throw new RunEnded();
		return row.next_seq - count;
	}

	private async insertInvocations(tx: Transaction<Database>, runId: string, items: PendingInvocation[], state: InvocationState, at: Date) {
		if (!items.length) return;
		await tx
			.insertInto('invocations')
			.values(
				items.map((item) => ({
					id: item.id,
					run_id: runId,
					seq: item.seq,
					node_id: item.nodeId,
					model_id: item.modelId,
					parent_seq: item.parentSeq,
					state,
					input: json(item.input),
					attempts: item.attempts,
					queued_at: at,
					ended_at: state === 'dropped' ? at : null
				}))
			)
			.execute();
	}
}
