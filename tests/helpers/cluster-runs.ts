import pg from 'pg';
import type { TestCluster } from './cluster';
import { loopGraph } from './graphs';
import { runsAs } from './runs';
import { ApiClient } from './server';
import { until } from './wait';

/** A run's row as the cluster's processes left it in PostgreSQL. */
export interface LeaseRow {
	status: string;
	stop_cause: string | null;
	lease: number;
	lease_holder: string | null;
	paused_at: Date | null;
}

export interface InvocationRow {
	seq: number;
	state: string;
	started_at: Date | null;
	ended_at: Date | null;
}

/**
 * What the cluster run tests share: an owner signed up on process 0 with a loop of built-in
 * dummy models, and the database read directly (which process holds a run is in `runs`).
 */
export async function clusterRuns(cluster: TestCluster) {
	const owner = new ApiClient(cluster.processes[0].url);
	const signup = await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
	if (signup.status !== 201) throw new Error(`signup: ${signup.status}`);
	const db = new pg.Client({ connectionString: cluster.databaseUrl });
	await db.connect();
	/** A client signed in as the owner, talking to process `i`. */
	const ownerOn = (i: number) => {
		const client = new ApiClient(cluster.processes[i].url);
		client.cookies = new Map(owner.cookies);
		return client;
	};
	const row = async (runId: string): Promise<LeaseRow> => {
		const { rows } = await db.query('select status, stop_cause, lease, lease_holder, paused_at from runs where id = $1', [runId]);
		return { ...rows[0], lease: Number(rows[0].lease) };
	};
	const invocations = async (runId: string): Promise<InvocationRow[]> =>
		(await db.query('select seq, state, started_at, ended_at from invocations where run_id = $1 order by seq', [runId])).rows;
	/** The slot of the process whose id (`host:pid:…`) holds the run. */
	const slotOf = (holder: string | null) => cluster.processes.findIndex((p) => holder?.split(':')[1] === String(p.process.pid));
	return {
		owner,
		ownerOn,
		row,
		invocations,
		slotOf,
		/** A loop of two built-in dummy models with these settings, and a run of it started on process `via`. */
		async startLoop(settings: Record<string, unknown>, via = 0): Promise<string> {
			const runs = runsAs(ownerOn(via));
			const networkId = await runs.network(loopGraph('dummy/echo', 'dummy/upper'), settings);
			return runs.start(networkId, 'hello cluster');
		},
		/** Slots of the processes still running (not killed). */
		live: () => cluster.processes.flatMap((p, i) => (p.process.exitCode === null && p.process.signalCode === null ? [i] : [])),
		/** Waits until a process holds the run and it completed `steps` steps; returns that process's slot. */
		async heldAfter(runId: string, steps: number): Promise<{ slot: number; lease: number }> {
			return until(`run ${runId} to be held and make ${steps} steps`, async () => {
				const r = await row(runId);
				const done = (await invocations(runId)).filter((i) => i.state === 'completed').length;
				const slot = slotOf(r.lease_holder);
				return done >= steps && slot >= 0 && { slot, lease: r.lease };
			}, 30_000);
		},
		close: () => db.end()
	};
}

/** Seqs 1..n each once: no gap, no duplicate. */
export const contiguous = (rows: readonly { seq: number }[]) => rows.every((r, k) => r.seq === k + 1);
