import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { ApiClient } from '../helpers/server';

// Cluster mode: N processes on one PostgreSQL database and one Redis. CI provides both.
describe.skipIf(!clusterAvailable())('cluster mode: processes start on PostgreSQL and Redis', () => {
	let cluster: TestCluster;
	beforeAll(async () => {
		cluster = await startCluster({ processes: 2 });
	}, 120_000);
	afterAll(() => cluster?.dispose());

	it('every process is healthy and sees what another wrote', async () => {
		const [a, b] = cluster.processes.map((p) => new ApiClient(p.url));
		for (const client of [a, b]) expect((await client.json('GET', '/api/health')).status).toBe(200);
		expect((await a.json('POST', '/api/auth/signup', { email: 'ada@example.org', password: 'correct horse battery' })).status).toBe(201);
		b.cookies = new Map(a.cookies);
		const me = await b.json('GET', '/api/me');
		expect(me.body.user?.email ?? me.body.email).toBe('ada@example.org');
	});

	it('refuses to start in cluster mode without a shared secret key', async () => {
		const { startServer } = await import('../helpers/server');
		await expect(
			startServer({ databaseUrl: cluster.databaseUrl, env: { ...cluster.env, PANIC_SECRET_KEY: '' } })
		).rejects.toThrow(/PANIC_SECRET_KEY/);
	});
});
