import { sql } from 'kysely';
import type { Db } from '../db/connect';
import type { ExperimentStatus } from '../db/schema';
import { conflict } from '../errors';
import { randomId } from '../ids';
import { ArrivalClock } from '../arrival-clock';
import type { RunResult } from './summary';

/** An experiment as stored. */
export interface ExperimentRow {
	id: string;
	networkId: string;
	createdBy: string | null;
	prompts: string[];
	runsPerPrompt: number;
	steps: number;
	status: ExperimentStatus;
	reason: string | null;
	runsTotal: number;
	runsDone: number;
	stepsDone: number;
	holder: string | null;
	/** Runs going at once, each on its own lane of the network. */
	concurrency: number;
	createdAt: Date;
	finishedAt: Date | null;
}

/** One planned run that has started: where it sits in the plan, its run, its result once finished. */
export interface ExperimentRunRow {
	seq: number;
	promptIndex: number;
	/** 1-based. */
	run: number;
	runId: string;
	result: RunResult | null;
}

export const ACTIVE: readonly ExperimentStatus[] = ['queued', 'running'];

/** Reads the jsonb both drivers hand back (pg parses it, a string is parsed here). */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** The `experiments` and `experiment_runs` tables: the experiments domain is their one owner. */
export class ExperimentStore {
	/** Two experiments started in one millisecond still list in the order they were started. */
	private readonly arrivals = new ArrivalClock();

	constructor(private db: Db) {}

	/**
	 * Records a new experiment, running, held by `holder`. A network has one experiment going at
	 * a time: the database's partial unique index refuses a second, whichever process asks.
	 */
	async create(input: { networkId: string; createdBy: string; prompts: string[]; runsPerPrompt: number; steps: number; concurrency: number; holder: string }): Promise<ExperimentRow> {
		const id = randomId();
		try {
			await this.db
				.insertInto('experiments')
				.values({
					id,
					network_id: input.networkId,
					created_by: input.createdBy,
					prompts: JSON.stringify(input.prompts),
					runs_per_prompt: input.runsPerPrompt,
					steps: input.steps,
					concurrency: input.concurrency,
					status: 'running',
					runs_total: input.prompts.length * input.runsPerPrompt,
					holder: input.holder,
					created_at: this.arrivals.next()
				})
				.execute();
		} catch (error) {
			if ((error as { code?: string }).code === '23505') throw conflict('An experiment is already running on this network. Wait for it to finish, or cancel it.');
			throw error;
		}
		return (await this.get(id))!;
	}

	async get(id: string): Promise<ExperimentRow | undefined> {
		const row = await this.db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
		return row && toRow(row);
	}

	/** The network's experiments, newest first. */
	async list(networkId: string, limit: number): Promise<ExperimentRow[]> {
		const rows = await this.db.selectFrom('experiments').selectAll().where('network_id', '=', networkId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
		return rows.map(toRow);
	}

	/** The experiment going on the network, if any. */
	async active(networkId: string): Promise<ExperimentRow | undefined> {
		const row = await this.db.selectFrom('experiments').selectAll().where('network_id', '=', networkId).where('status', 'in', ACTIVE).executeTakeFirst();
		return row && toRow(row);
	}

	/** The experiment's started runs, in plan order. */
	async runs(id: string): Promise<ExperimentRunRow[]> {
		const rows = await this.db.selectFrom('experiment_runs').selectAll().where('experiment_id', '=', id).orderBy('seq').execute();
		return rows.map((r) => ({ seq: r.seq, promptIndex: r.prompt_index, run: r.run, runId: r.run_id, result: r.result === null ? null : json<RunResult>(r.result) }));
	}

	/** Which experiment a run belongs to, if any. */
	async ofRun(runId: string): Promise<string | undefined> {
		const row = await this.db.selectFrom('experiment_runs').select('experiment_id').where('run_id', '=', runId).executeTakeFirst();
		return row?.experiment_id;
	}

	async addRun(id: string, run: { seq: number; promptIndex: number; run: number; runId: string }): Promise<void> {
		await this.db.insertInto('experiment_runs').values({ experiment_id: id, seq: run.seq, prompt_index: run.promptIndex, run: run.run, run_id: run.runId }).execute();
	}

	/** A run ended and was analysed: its result row, and the experiment's counts. */
	async finishRun(id: string, seq: number, result: RunResult, stepsDone: number): Promise<void> {
		await this.db.transaction().execute(async (tx) => {
			await tx.updateTable('experiment_runs').set({ result: JSON.stringify(result) }).where('experiment_id', '=', id).where('seq', '=', seq).execute();
			await tx
				.updateTable('experiments')
				.set({ runs_done: sql`runs_done + 1`, steps_done: stepsDone })
				.where('id', '=', id)
				.execute();
		});
	}

	async setSteps(id: string, stepsDone: number): Promise<void> {
		await this.db.updateTable('experiments').set({ steps_done: stepsDone }).where('id', '=', id).where('status', 'in', ACTIVE).execute();
	}

	/** Ends an experiment that is still going; false when it had already ended. */
	async finish(id: string, status: Extract<ExperimentStatus, 'done' | 'cancelled' | 'failed'>, reason: string | null): Promise<boolean> {
		const result = await this.db
			.updateTable('experiments')
			.set({ status, reason, finished_at: new Date() })
			.where('id', '=', id)
			.where('status', 'in', ACTIVE)
			.executeTakeFirst();
		return Number(result.numUpdatedRows) > 0;
	}

	/**
	 * Experiments left going by processes that are gone (`holders`, or every one for null): marked
	 * failed with `reason`. Returns them, so their runs can be stopped.
	 */
	async interrupt(holders: string[] | null, reason: string): Promise<ExperimentRow[]> {
		let query = this.db
			.updateTable('experiments')
			.set({ status: 'failed', reason, finished_at: new Date() })
			.where('status', 'in', ACTIVE);
		if (holders) query = query.where('holder', 'in', holders.length ? holders : ['']);
		const rows = await query.returningAll().execute();
		return rows.map(toRow);
	}
}

type Stored = {
	id: string;
	network_id: string;
	created_by: string | null;
	prompts: unknown;
	runs_per_prompt: number;
	steps: number;
	status: ExperimentStatus;
	reason: string | null;
	runs_total: number;
	runs_done: number;
	steps_done: number;
	holder: string | null;
	concurrency: number;
	created_at: Date;
	finished_at: Date | null;
};

function toRow(r: Stored): ExperimentRow {
	return {
		id: r.id,
		networkId: r.network_id,
		createdBy: r.created_by,
		prompts: json<string[]>(r.prompts),
		runsPerPrompt: r.runs_per_prompt,
		steps: r.steps,
		status: r.status,
		reason: r.reason,
		runsTotal: r.runs_total,
		runsDone: r.runs_done,
		stepsDone: r.steps_done,
		holder: r.holder,
		concurrency: r.concurrency,
		createdAt: r.created_at,
		finishedAt: r.finished_at
	};
}
