import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { connectCluster, type Cluster } from '../../server/cluster/cluster';
import { QueuedRunLeases } from '../../server/cluster/queued-run-leases';
import type { Engine } from '../../server/engine/engine';
import type { EngineEventMap } from '../../server/engine/events';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

/**
 * Two engines on one PostgreSQL database and one Redis, as two processes of a cluster: a run
 * is held by whichever takes its BullMQ job, and control asked of the other reaches it. A
 * holder that dies or freezes is tested with real processes (tests/cluster/run-takeover and
 * frozen-holder): cutting one engine off from Redis inside this process left its BullMQ worker
 * unable to close, and the file hung.
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
