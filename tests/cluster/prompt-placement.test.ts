import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { loopGraph } from '../helpers/graphs';
import { runsAs } from '../helpers/runs';
import { ApiClient } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

const LOCKOUT_SECONDS = 3;

// The prompt scheduler runs where the network's run is held: audience prompts sent to any
// process start one at a time, oldest first, each after the run before it had its lockout —
// never two at once, and never early because the process that took a prompt did not hold the run.
describe.skipIf(!clusterAvailable())('audience prompts across processes', () => {
	let cluster: TestCluster;
	let db: pg.Client;
	beforeAll(async () => {
		cluster = await startCluster({ processes: 3 });
		db = new pg.Client({ connectionString: cluster.databaseUrl });
		await db.connect();
	}, 180_000);
	afterAll(async () => {
		await db?.end();
		await cluster?.dispose();
	});

	const runs = async (networkId: string) =>
		(await db.query(`select input, status, started_at from runs where network_id = $1 order by started_at`, [networkId])).rows as Array<{
			input: { text: string };
			status: string;
			started_at: Date;
		}>;

	it('start one at a time, in the order sent, after each lockout, wherever they were sent', async () => {
		const owner = new ApiClient(cluster.processes[0].url);
		expect((await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' })).status).toBe(201);
		const networkId = await runsAs(owner).network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 100 }, lockoutSeconds: LOCKOUT_SECONDS });
		const code = (await owner.json('POST', `/api/networks/${networkId}/join-codes`)).body.code;
		const phones = await Promise.all(
			[0, 1, 2, 0].map(async (i) => {
				const phone = new ApiClient(cluster.processes[i].url);
				expect((await phone.json('POST', `/api/join/${code}`)).status).toBe(200);
				return phone;
			})
		);

		// The first prompt, sent to process 1, starts a run (held by whichever process took its lease).
		expect((await phones[1].json('POST', `/api/networks/${networkId}/prompts`, { text: 'first prompt' })).status).toBe(201);
		const [first] = await until('the first run', async () => (await runs(networkId)).length === 1 && runs(networkId));
		expect(first.input.text).toBe('first prompt');

		// Three more, sent at once to three different processes, all wait for the lockout.
		const sent = await Promise.all(
			[phones[2], phones[0], phones[3]].map((phone, k) => phone.json('POST', `/api/networks/${networkId}/prompts`, { text: `prompt ${k + 2}` }))
		);
		expect(sent.map((s) => s.status)).toEqual([201, 201, 201]);
		expect(sent.every((s) => s.body.status === 'queued')).toBe(true);
		await sleep(1000); // inside the lockout: nothing may start (a scheduler that did not hold the run would start one now)
		expect(await runs(networkId)).toHaveLength(1);

		// After the lockout exactly one starts: the oldest waiting one.
		const second = await until('the second run', async () => {
			const all = await runs(networkId);
			return all.length >= 2 && all;
		}, 20_000);
		expect(second).toHaveLength(2);
		const firstSent = sent.map((s, k) => ({ k, at: s.body.position as number })).sort((a, b) => a.at - b.at)[0];
		expect(second[1].input.text).toBe(`prompt ${firstSent.k + 2}`);
		expect(second[1].started_at.getTime() - second[0].started_at.getTime()).toBeGreaterThanOrEqual(LOCKOUT_SECONDS * 1000 - 50);
		// …and the next waits for the new run's own lockout.
		await sleep(1000);
		expect(await runs(networkId)).toHaveLength(2);
		const waiting = (await db.query(`select count(*) from prompts where network_id = $1 and status in ('queued', 'approved')`, [networkId])).rows[0];
		expect(Number(waiting.count)).toBe(2);
	}, 120_000);
});
