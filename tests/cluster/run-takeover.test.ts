import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { clusterRuns, contiguous } from '../helpers/cluster-runs';
import { until } from '../helpers/wait';

/**
 * Kill -9 mid-run (issue 15, done-when): a paced loop of built-in models runs on one process
 * of three; that process is killed; another takes the run over within 10 s (its BullMQ lock
 * expires, the job is found stalled and taken, the fencing token bumped) and goes on from the
 * stored queue, so seqs stay contiguous and the run ends by its budget with exactly its steps.
 */
const BUDGET = 40;

describe.skipIf(!clusterAvailable())('cluster mode: a run survives its holder being killed', () => {
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

	it('kill -9 of the holder: another process takes the run over within 10 s; seqs contiguous; ends by its budget with exactly its steps', async () => {
		const runId = await runs.startLoop({ pacing: { fixedMs: 150 }, budgets: { maxInvocations: BUDGET } });
		const { slot, lease } = await runs.heldAfter(runId, 5);
		const killedAt = Date.now();
		await cluster.kill(slot, 'SIGKILL');
		const taken = await until(
			'another process to take the run over',
			async () => {
				const row = await runs.row(runId);
				const by = runs.slotOf(row.lease_holder);
				return row.lease > lease && by >= 0 && by !== slot && { by, row };
			},
			15_000
		);
		const takeoverMs = Date.now() - killedAt;
		console.log(`[run-takeover] process ${slot} killed; process ${taken.by} took the run over after ${takeoverMs} ms (lease ${lease} → ${taken.row.lease})`);
		expect(takeoverMs).toBeLessThan(10_000);

		const ended = await until('the run to end', async () => {
			const row = await runs.row(runId);
			return row.status !== 'running' && row;
		}, 60_000);
		expect(ended).toMatchObject({ status: 'stopped', stop_cause: 'budget' });
		const invocations = await runs.invocations(runId);
		expect(contiguous(invocations), invocations.map((i) => i.seq).join(',')).toBe(true);
		expect(invocations.filter((i) => i.state === 'completed')).toHaveLength(BUDGET);
	}, 120_000);

	it('stop and pause asked of a process that does not hold the run take effect on the holder', async () => {
		const runId = await runs.startLoop({ pacing: { fixedMs: 100 } }, runs.live()[0]);
		const { slot } = await runs.heldAfter(runId, 2);
		const other = runs.ownerOn(runs.live().find((i) => i !== slot)!);

		// The holder relays its engine events over the bus to every process: its 'paused' says it
		// applied the pause (the HTTP answer may come before it did).
		const events = cluster.redis();
		await events.subscribe(`${cluster.prefix}:bus:runs:events`);
		const holderSays = (name: string) =>
			new Promise<void>((resolve) =>
				events.on('message', (_channel: string, raw: string) => {
					const { message } = JSON.parse(raw) as { message: { name: string; payload: { runId: string } } };
					if (message.name === name && message.payload.runId === runId) resolve();
				})
			);
		const paused = holderSays('paused');
		expect((await other.json('POST', `/api/runs/${runId}/pause`)).status).toBe(200);
		await paused;
		// The holder holds every new start: once what was running has finished, nothing starts.
		const settled = await until('the paused run to have nothing running', async () => {
			const invocations = await runs.invocations(runId);
			return invocations.every((i) => i.state !== 'running') && invocations;
		});
		const startedBefore = settled.filter((i) => i.started_at).length;
		// Twenty pacing intervals with no new start (a bounded look for an absence).
		for (let k = 0; k < 20; k++) {
			await new Promise((r) => setTimeout(r, 100));
			expect((await runs.invocations(runId)).filter((i) => i.started_at).length).toBe(startedBefore);
		}
		const resumed = holderSays('resumed');
		expect((await other.json('POST', `/api/runs/${runId}/resume`)).status).toBe(200);
		await resumed;
		await until('the resumed run to start again', async () => (await runs.invocations(runId)).filter((i) => i.started_at).length > startedBefore);

		// Stopped on another process: the holder lets go, and its job (the lease) is gone from Redis.
		const ended = holderSays('ended');
		const stopped = await other.json('POST', `/api/runs/${runId}/stop`);
		expect(stopped.status).toBe(200);
		expect(stopped.body.status).toBe('stopped');
		await ended;
		const redis = cluster.redis();
		await until('the run\'s lease job to go', async () => (await redis.exists(`${cluster.prefix}:bull:runs:${runId}`)) === 0);
		const final = await runs.invocations(runId);
		expect(final.every((i) => i.state !== 'running' && i.state !== 'queued')).toBe(true);
		expect(contiguous(final)).toBe(true);
	}, 90_000);
});
