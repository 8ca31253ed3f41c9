import type { Selectable } from 'kysely';
import type { Db } from '../db/connect';
import { camelRow, type CamelRow } from '../db/rows';
import type { InvocationsTable, RunsTable, StoredPayload } from '../db/schema';

/** A run as stored. */
export type RunRow = CamelRow<RunsTable>;

/** An invocation as stored; its cost as a number (numeric comes back as text from both drivers). */
export type InvocationRow = Omit<CamelRow<InvocationsTable>, 'costEstimate'> & { costEstimate: number | null };

/** A completed invocation's output, what analysis reads of a run. */
export interface CompletedOutput {
	id: string;
	seq: number;
	nodeId: string;
	output: StoredPayload;
	/** Null on rows recorded before exact hashes were kept. */
	exactHash: string | null;
}

const toInvocation = (row: Selectable<InvocationsTable>): InvocationRow => {
	const camel = camelRow<InvocationsTable>(row);
	return { ...camel, costEstimate: camel.costEstimate === null ? null : Number(camel.costEstimate) };
};

/**
 * Every read of `runs` and `invocations` (run-writer.ts has every write): the run pages and
 * API, exports, analysis and experiments ask here, so the tables' shape lives in two files.
 */
export class RunReader {
	constructor(private db: Db) {}

	async get(runId: string): Promise<RunRow | null> {
		const row = await this.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
		return row ? camelRow<RunsTable>(row) : null;
	}

	/** A network's runs, newest first. */
	async list(networkId: string, limit = 100): Promise<RunRow[]> {
		const rows = await this.db
			.selectFrom('runs')
			.selectAll()
			.where('network_id', '=', networkId)
			.orderBy('started_at', 'desc')
			.orderBy('id')
			.limit(limit)
			.execute();
		return rows.map((row) => camelRow<RunsTable>(row));
	}

	/** A page of a run's invocations by seq: those after `afterSeq`, at most `limit`. */
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

	/**
	 * Completed invocations with an output, in seq order: what loop analysis reads. With `last`,
	 * only the newest `last` of them: the (run_id, seq) index is walked back from the run's end,
	 * so the cost follows `last`, not the run's length.
	 */
	async completedOutputs(runId: string, last?: number): Promise<CompletedOutput[]> {
		const rows = await this.db
			.selectFrom('invocations')
			.select(['id', 'seq', 'node_id', 'output', 'exact_hash'])
			.where('run_id', '=', runId)
			.where('state', '=', 'completed')
			.where('output', 'is not', null)
			.$if(last === undefined, (qb) => qb.orderBy('seq'))
			.$if(last !== undefined, (qb) => qb.orderBy('seq', 'desc').limit(last!))
			.execute();
		if (last !== undefined) rows.reverse();
		return rows.map((r) => ({ id: r.id, seq: r.seq, nodeId: r.node_id, output: r.output!, exactHash: r.exact_hash }));
	}

	/** `completedOutputs` of several runs in one query per 100 runs (the atlas reads a whole experiment). */
	async completedOutputsOf(runIds: readonly string[]): Promise<Map<string, CompletedOutput[]>> {
		const found = new Map<string, CompletedOutput[]>(runIds.map((id) => [id, []]));
		for (let i = 0; i < runIds.length; i += 100) {
			const rows = await this.db
				.selectFrom('invocations')
				.select(['id', 'run_id', 'seq', 'node_id', 'output', 'exact_hash'])
				.where('run_id', 'in', runIds.slice(i, i + 100))
				.where('state', '=', 'completed')
				.where('output', 'is not', null)
				.orderBy('run_id')
				.orderBy('seq')
				.execute();
			for (const r of rows) found.get(r.run_id)!.push({ id: r.id, seq: r.seq, nodeId: r.node_id, output: r.output!, exactHash: r.exact_hash });
		}
		return found;
	}

	/** The runs with these ids (those that exist), in no particular order. */
	async getMany(runIds: readonly string[]): Promise<RunRow[]> {
		if (!runIds.length) return [];
		const rows = await this.db.selectFrom('runs').selectAll().where('id', 'in', [...runIds]).execute();
		return rows.map((row) => camelRow<RunsTable>(row));
	}

	/** The outputs of the invocations with these seqs (absent: no such seq; null: no output). */
	async outputs(runId: string, seqs: readonly number[]): Promise<Map<number, StoredPayload | null>> {
		if (!seqs.length) return new Map();
		const rows = await this.db.selectFrom('invocations').select(['seq', 'output']).where('run_id', '=', runId).where('seq', 'in', seqs).execute();
		return new Map(rows.map((r) => [r.seq, r.output]));
	}

	/** How many of a run's invocations have completed (the steps it made): the run row's counter. */
	async completedSteps(runId: string): Promise<number> {
		const row = await this.db.selectFrom('runs').select('completed_steps').where('id', '=', runId).executeTakeFirst();
		return row?.completed_steps ?? 0;
	}

	/**
	 * Estimated spend in US dollars per run, for the runs given (runs without costs are absent):
	 * the run rows' running totals, never a sum over their invocations.
	 */
	async spend(runIds: string[]): Promise<Map<string, number>> {
		if (!runIds.length) return new Map();
		const rows = await this.db.selectFrom('runs').select(['id', 'spend_usd']).where('id', 'in', runIds).where('spend_usd', '>', 0).execute();
		return new Map(rows.map((r) => [r.id, Number(r.spend_usd)]));
	}

	/** Estimated spend in US dollars over every run of a network (one row per run, not per invocation). */
	async networkSpend(networkId: string): Promise<number> {
		const row = await this.db
			.selectFrom('runs')
			.select((eb) => eb.fn.sum<string | number | null>('spend_usd').as('spend'))
			.where('network_id', '=', networkId)
			.executeTakeFirst();
		return Number(row?.spend ?? 0);
	}

	/**
	 * The running runs (paused ones too) of `networkIds`, by network and lane, across every
	 * process: the per-owner run limit counts them among the owner's networks in cluster mode,
	 * each lane as one run.
	 */
	async runningAmong(networkIds: string[]): Promise<Array<{ networkId: string; lane: number }>> {
		if (!networkIds.length) return [];
		const rows = await this.db.selectFrom('runs').select(['network_id', 'lane']).where('status', '=', 'running').where('network_id', 'in', networkIds).execute();
		return rows.map((r) => ({ networkId: r.network_id, lane: r.lane }));
	}
}
