import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { clusterRuns, contiguous } from '../helpers/cluster-runs';
import { until } from '../helpers/wait';

/**
 * Frozen holder (issue 15, done-when): SIGSTOP the process holding a run until another takes
 * the run over (the lease in `runs` moves), then SIGCONT it. The woken process's writes all
 * match the old fencing token, so it records nothing, and it stops holding the run (its lock
 * renewal fails, or its next write is refused), while the new holder ends the run by its budget.
 */
const BUDGET = 60;

describe.skipIf(!clusterAvailable())('cluster mode: a frozen holder writes nothing once thawed', () => {
	let cluster: TestCluster;
	let runs: Awaited<ReturnType<typeof clusterRuns>>;
	beforeAll(async () => {
		cluster = await startCluster({ processes: 3 });
		runs = await clusterRuns(cluster);
	}, 180_000);
	afterAll(async () => {
		await runs?.close();
		await cluster?.dispose();
	});

	it('SIGSTOP until the lease moves, then SIGCONT: nothing written by it, and it stops itself', async () => {
		const runId = await runs.startLoop({ pacing: { fixedMs: 100 }, budgets: { maxInvocations: BUDGET } });
		const { slot, lease } = await runs.heldAfter(runId, 5);
		const frozen = cluster.processes[slot];
		const frozenAt = Date.now();
		frozen.process.kill('SIGSTOP');
		const moved = await until(
			'the lease to move',
			async () => {
				const row = await runs.row(runId);
				const by = runs.slotOf(row.lease_holder);
				return row.lease > lease && by >= 0 && by !== slot && row;
			},
			15_000
		);
		console.log(`[frozen-holder] process ${slot} frozen; lease ${lease} → ${moved.lease} after ${Date.now() - frozenAt} ms`);
		// What the run looked like when the new holder took it (completed steps are final).
		const atMove = (await runs.invocations(runId)).filter((i) => i.state === 'completed');

		frozen.process.kill('SIGCONT');
		await until('the thawed process to say it let go', () => frozen.output().includes(`run ${runId}: another process took it over`), 15_000);
		// Still alive and serving: it only stopped holding the run.
		expect((await fetch(`${frozen.url}/api/health`)).status).toBe(200);

		const ended = await until('the run to end', async () => {
			const row = await runs.row(runId);
			return row.status !== 'running' && row;
		}, 60_000);
		// The lease never went back to the thawed process, nor was the row finished under its token.
		expect(ended).toMatchObject({ status: 'stopped', stop_cause: 'budget', lease: moved.lease, lease_holder: moved.lease_holder });
		const invocations = await runs.invocations(runId);
		// Completed rows as they were at the move are untouched; no seq was added twice or skipped,
		// and the budget's steps were made exactly once each.
		const bySeq = new Map(invocations.map((i) => [i.seq, i]));
		for (const before of atMove) expect(bySeq.get(before.seq)).toEqual(before);
		expect(contiguous(invocations)).toBe(true);
		expect(invocations.filter((i) => i.state === 'completed')).toHaveLength(BUDGET);
	}, 150_000);
});
