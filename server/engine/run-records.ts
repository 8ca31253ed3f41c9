import type { Transaction } from 'kysely';
import type { Db } from '../db/connect';
import type { Database, InvocationState, RunStatus, StopCause, StoredPayload } from '../db/schema';
import { randomId } from '../ids';
import type { Arrival, Completion, PendingInvocation, RunLedger } from './ledger';
import { storedExactHash } from '../analysis/exact-hash';
import type { PastOutput } from '../analysis/loop-watcher';
import { compact } from '../analysis/vector';
import { statusFor } from './policy';

/** Thrown inside a transaction to roll it back because the run is no longer running. */
class RunEnded extends Error {}

export interface NewRun {
	networkId: string;
	startedBy: string | null;
	input: StoredPayload;
	settings: object;
	graph: object;
	first: Arrival;
}

export interface RunRow {
	id: string;
	networkId: string;
	startedBy: string | null;
	input: StoredPayload;
	status: RunStatus;
	stopCause: StopCause | null;
	settings: Record<string, unknown>;
	graph: Record<string, unknown>;
	nextSeq: number;
	startedAt: Date;
	endedAt: Date | null;
	/** Why the run ended with an error, for people. */
	error: string | null;
	/** Set while a running run is paused (cleared on resume and when it ends). */
	pausedAt: Date | null;
}

export interface InvocationRow {
	id: string;
	seq: number;
	nodeId: string;
	modelId: string;
	parentSeq: number | null;
	state: InvocationState;
	input: StoredPayload;
	output: StoredPayload | null;
	outputHash: string | null;
	error: string | null;
	attempts: number;
	providerRequestId: string | null;
	costEstimate: number | null;
	metrics: Record<string, number> | null;
	queuedAt: Date;
	startedAt: Date | null;
	endedAt: Date | null;
}

/** What a run resumes from after a restart. */
export interface Recovered {
	pending: PendingInvocation[];
	started: number;
	completed: number;
	spendUsd: number;
	/** Each node's latest output hash, for fixed-point detection. */
	lastHashByNode: Map<string, string>;
	/** Completed outputs in seq order, for loop detection to pick up where it was. */
	history: PastOutput[];
	/** When the latest invocation started (interrupted ones too), for pacing to go on from; null if none did. */
	lastStartedAt: Date | null;
}

const json = (value: unknown) => JSON.stringify(value);
const ACTIVE_STATES: InvocationState[] = ['queued', 'running'];

/**
 * Runs and invocations in the database. Every seq comes from `runs.next_seq`, bumped in the
 * transaction that inserts the invocations, under the run row's lock: no duplicates, no
 * gaps. Every write first checks (and locks) `status = 'running'`, so once a stop commits
 * nothing more is recorded for that run.
 */
export class RunRecords implements RunLedger {
	constructor(private db: Db) {}

	async create(run: NewRun): Promise<{ runId: string; first: PendingInvocation; startedAt: Date }> {
		const runId = randomId();
		const first: PendingInvocation = { id: randomId(), seq: 1, ...run.first, parentSeq: null, input: run.input, attempts: 0 };
		const startedAt = new Date();
		await this.db.transaction().execute(async (tx) => {
			await tx
				.insertInto('runs')
				.values({
					id: runId,
					network_id: run.networkId,
					started_by: run.startedBy,
					input: json(run.input),
					settings: json(run.settings),
					graph: json(run.graph),
					next_seq: 2,
					started_at: startedAt
				})
				.execute();
			await this.insertInvocations(tx, runId, [first], 'queued', startedAt);
		});
		return { runId, first, startedAt };
	}

	async markRunning(runId: string, invocationId: string, attempts: number, at: Date): Promise<boolean> {
		const result = await this.db
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
				const firstSeq = await this.allocateSeqs(tx, runId, arrivals.length);
				const done = await tx
					.updateTable('invocations')
					.set({
						state: 'completed',
						output: json(completion.output),
						output_hash: completion.outputHash,
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
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	/** Runs of a network still marked running (normally at most one). */
	async runningIds(networkId?: string): Promise<string[]> {
		let query = this.db.selectFrom('runs').select('id').where('status', '=', 'running');
		if (networkId) query = query.where('network_id', '=', networkId);
		return (await query.orderBy('started_at').execute()).map((r) => r.id);
	}

	/**
	 * After a restart: invocations left running were interrupted; they go back to the queue
	 * (their attempt count kept, so the next start is attempt n+1), or fail past `maxAttempts`.
	 */
	async recover(runId: string, maxAttempts: number, at = new Date()): Promise<Recovered> {
		return this.db.transaction().execute(async (tx) => {
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
			const rows = await tx.selectFrom('invocations').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
			const lastHashByNode = new Map<string, string>();
			const history: PastOutput[] = [];
			let started = 0;
			let completed = 0;
			let spendUsd = 0;
			const pending: PendingInvocation[] = [];
			for (const row of rows) {
				if (row.attempts > 0) started++;
				if (row.cost_estimate !== null) spendUsd += Number(row.cost_estimate);
				if (row.state === 'completed') completed++;
				if (row.state === 'completed' && row.output_hash) lastHashByNode.set(row.node_id, row.output_hash);
				if (row.state === 'completed' && row.output) {
					history.push({ seq: row.seq, nodeId: row.node_id, exactHash: row.exact_hash ?? storedExactHash(row.output) });
				}
				if (row.state === 'queued') {
					pending.push({
						id: row.id,
						seq: row.seq,
						nodeId: row.node_id,
						modelId: row.model_id,
						parentSeq: row.parent_seq,
						input: row.input,
						attempts: row.attempts
					});
				}
			}
			// The interrupted ones are about to be started again: count them once.
			started -= pending.filter((p) => p.attempts > 0).length;
			return { pending, started, completed, spendUsd, lastHashByNode, history, lastStartedAt: last === null ? null : new Date(last) };
		});
	}

	async get(runId: string): Promise<RunRow | null> {
		const row = await this.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
		return row ? toRun(row) : null;
	}

	async list(networkId: string, limit = 100): Promise<RunRow[]> {
		const rows = await this.db
			.selectFrom('runs')
			.selectAll()
			.where('network_id', '=', networkId)
			.orderBy('started_at', 'desc')
			.orderBy('id')
			.limit(limit)
			.execute();
		return rows.map(toRun);
	}

	async invocations(runId: string, afterSeq = 0, limit = 200): Promise<InvocationRow[]> {
		const rows = await this.db
			.selectFrom('invocations')
			.selectAll()
			.where('run_id', '=', runId)
			.where('seq', '>', afterSeq)
			.orderBy('seq')
			.limit(limit)
			.execute();
		return rows.map(toInvocation);
	}

	/** Estimated spend in US dollars per run, for the runs given (runs without costs are absent). */
	async spend(runIds: string[]): Promise<Map<string, number>> {
		if (!runIds.length) return new Map();
		const rows = await this.db
			.selectFrom('invocations')
			.select(['run_id', (eb) => eb.fn.sum<string>('cost_estimate').as('spend')])
			.where('run_id', 'in', runIds)
			.where('cost_estimate', 'is not', null)
			.groupBy('run_id')
			.execute();
		return new Map(rows.map((r) => [r.run_id, Number(r.spend)]));
	}

	/** Estimated spend in US dollars over every run of a network. */
	async networkSpend(networkId: string): Promise<number> {
		const row = await this.db
			.selectFrom('invocations')
			.innerJoin('runs', 'runs.id', 'invocations.run_id')
			.select((eb) => eb.fn.sum<string | null>('invocations.cost_estimate').as('spend'))
			.where('runs.network_id', '=', networkId)
			.executeTakeFirst();
		return Number(row?.spend ?? 0);
	}

	/** Bumps next_seq by `count` under the run row's lock; throws RunEnded unless running. */
	private async allocateSeqs(tx: Transaction<Database>, runId: string, count: number): Promise<number> {
		const row = await tx
			.updateTable('runs')
			.set((eb) => ({ next_seq: eb('next_seq', '+', count) }))
			.where('id', '=', runId)
			.where('status', '=', 'running')
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


function toRun(row: {
	id: string;
	network_id: string;
	started_by: string | null;
	input: StoredPayload;
	status: RunStatus;
	stop_cause: StopCause | null;
	settings: Record<string, unknown>;
	graph: Record<string, unknown>;
	next_seq: number;
	started_at: Date;
	ended_at: Date | null;
	error: string | null;
	paused_at: Date | null;
}): RunRow {
	return {
		id: row.id,
		networkId: row.network_id,
		startedBy: row.started_by,
		input: row.input,
		status: row.status,
		stopCause: row.stop_cause,
		settings: row.settings,
		graph: row.graph,
		nextSeq: row.next_seq,
		startedAt: row.started_at,
		endedAt: row.ended_at,
		error: row.error,
		pausedAt: row.paused_at
	};
}

function toInvocation(row: {
	id: string;
	seq: number;
	node_id: string;
	model_id: string;
	parent_seq: number | null;
	state: InvocationState;
	input: StoredPayload;
	output: StoredPayload | null;
	output_hash: string | null;
	error: string | null;
	attempts: number;
	provider_request_id: string | null;
	cost_estimate: string | null;
	metrics: Record<string, number> | null;
	queued_at: Date;
	started_at: Date | null;
	ended_at: Date | null;
}): InvocationRow {
	return {
		id: row.id,
		seq: row.seq,
		nodeId: row.node_id,
		modelId: row.model_id,
		parentSeq: row.parent_seq,
		state: row.state,
		input: row.input,
		output: row.output,
		outputHash: row.output_hash,
		error: row.error,
		attempts: row.attempts,
		providerRequestId: row.provider_request_id,
		costEstimate: row.cost_estimate === null ? null : Number(row.cost_estimate),
		metrics: row.metrics,
		queuedAt: row.queued_at,
		startedAt: row.started_at,
		endedAt: row.ended_at
	};
}
