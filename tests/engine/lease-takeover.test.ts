import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { connectCluster, type Cluster } from '../../server/cluster/cluster';
import { QueuedRunLeases } from '../../server/cluster/run-leases';
import type { Engine } from '../../server/engine/engine';
import type { EngineEventMap } from '../../server/engine/events';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

/**
 * Two engines on one PostgreSQL database and one Redis, as two processes of a cluster: a run
 * is held by whichever takes its BullMQ job; when that one stops renewing its lease, the other
 * takes the run over, and the first (still running, cut off) writes nothing more.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const postgres = backends().find((b) => b.name === 'postgres');
const LEASE_MS = 600;

describe.skipIf(!redisUrl || !postgres)('run leases through BullMQ on PostgreSQL and Redis', () => {
	const bed = engineBed(postgres!.open);
	const prefix = `panic-test-${randomBytes(4).toString('hex')}`;

	async function process(): Promise<{ engine: Engine; cluster: Cluster }> {
		const cluster = await connectCluster({ redisUrl: redisUrl!, prefix, log: { warn() {}, error: console.error } });
		const { engine } = bed.boot({
			cluster: {
				processId: cluster.processId,
				bus: cluster.bus,
				leases: (host) => new QueuedRunLeases(cluster, host, { leaseMs: LEASE_MS, concurrency: 4, log: { warn() {}, error: console.error } })
			},
			log: { error: () => {} }
		});
		await engine.resume();
		return { engine, cluster };
	}

	test('a holder cut off from Redis loses its run to the other process, which ends it by its budget with contiguous seqs', async () => {
		const a = await process();
		const b = await process();
		try {
			const { rooms } = bed.boot();
			const networkId = await bed.network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 60 }, budgets: { maxInvocations: 40 } }, rooms);
			const started = new Promise<EngineEventMap['started'][0]>((resolve) => b.engine.observed.once('started', resolve));
			const { runId } = await a.engine.start(networkId, { kind: 'text', text: 'hello' }, null);
			expect((await started).runId).toBe(runId); // every process observes the holder's events
			const row = await until('a holder', async () => {
				const r = await bed.run(runId);
				return !!r.lease_holder && (await bed.invocations(runId)).some((i) => i.state === 'completed') && r;
			});
			const [holder, other] = row.lease_holder === a.cluster.processId ? [a, b] : [b, a];

			// The holder's Redis goes away: it can no longer renew its lock, but its controller goes on.
			const cut = Date.now();
			await holder.cluster.close();
			const moved = await until('the run to move', async () => (await bed.run(runId)).lease_holder === other.cluster.processId, 10_000);
			const takeoverMs = Date.now() - cut;
			expect(moved).toBe(true);
			console.log(`[lease-takeover] taken over ${takeoverMs} ms after the holder was cut off (lease ${LEASE_MS} ms)`);
			// The old holder's next write is refused: it stops itself.
			await until('the old holder to let go', () => holder.engine.activeRun(networkId) === null, 10_000);

			const ended = await until('the run to end', async () => {
				const r = await bed.run(runId);
				return r.status !== 'running' && r;
			}, 30_000);
			expect(ended).toMatchObject({ status: 'stopped', stop_cause: 'budget' });
			const invocations = await bed.invocations(runId);
			expect(invocations.map((i) => i.seq)).toEqual(invocations.map((_, k) => k + 1));
			expect(invocations.filter((i) => i.state === 'completed')).toHaveLength(40);
			expect(takeoverMs).toBeLessThan(10_000);
		} finally {
			await a.engine.close();
			await b.engine.close();
			await a.cluster.close();
			await b.cluster.close();
		}
	}, 60_000);

	test('stop and pause asked of the process that does not hold the run reach the holder', async () => {
		const a = await process();
		const b = await process();
		try {
			const { rooms } = bed.boot();
			const networkId = await bed.network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 40 } }, rooms);
			const { runId } = await a.engine.start(networkId, { kind: 'text', text: 'hello' }, null);
			const row = await until('a holder', async () => (await bed.run(runId)).lease_holder);
			const [holder, other] = row === a.cluster.processId ? [a, b] : [b, a];
			await until('the holder to run it', () => holder.engine.activeRun(networkId));

			const paused = new Promise((resolve) => holder.engine.events.once('paused', resolve));
			await other.engine.pauseRun(runId);
			await paused;
			expect(holder.engine.activeRun(networkId)?.paused).toBe(true);
			const resumed = new Promise((resolve) => holder.engine.events.once('resumed', resolve));
			await other.engine.resumeRun(runId);
			await resumed;
			expect(holder.engine.activeRun(networkId)?.paused).toBe(false);

			const ended = new Promise<EngineEventMap['ended'][0]>((resolve) => holder.engine.events.once('ended', resolve));
			expect(await other.engine.stop(runId)).toBe(true);
			expect(await ended).toMatchObject({ runId, cause: 'stopped' });
			expect(holder.engine.activeRun(networkId)).toBeNull();
			expect(await bed.run(runId)).toMatchObject({ status: 'stopped', stop_cause: 'stopped' });
		} finally {
			await a.engine.close();
			await b.engine.close();
			await a.cluster.close();
			await b.cluster.close();
		}
	}, 60_000);
});
