/**
 * Issue 11, finding 10: run capacity. One account starts 19 unpaced fan-out loops of built-in
 * models (before: /api/health took seconds). Now four start (runs per owner) and the rest are
 * refused with a 429 naming the limit; another account meets the process-wide limit; the
 * allowed runs keep running while /api/health answers within 200 ms, watched from a second
 * process. An audience prompt that arrives while the server is full waits in the queue and
 * starts once a run ends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Graph } from '../../server/shared/graph/types';
import { fanOutLoop, loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { sleep, until } from '../helpers/wait';
import { underAttack } from './health-watch';

/** paint → caption ×3 → paint: every painting fans out into three captions, each painted again. */
const paintings = fanOutLoop('local/paint', 'local/caption', 3);
const unpaced = { pacing: { fixedMs: 0 }, maxConcurrent: 32, pendingCap: 10_000 };

async function account(server: TestServer, email: string) {
	const client = new ApiClient(server.url);
	expect((await client.json('POST', '/api/auth/signup', { email, password: 'a long password' })).status).toBe(201);
	return client;
}

async function loops(client: ApiClient, count: number, graph: Graph = paintings, settings: object = unpaced): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const { body } = await client.json('POST', '/api/networks', { name: `loop ${i}` });
		expect((await client.json('PUT', `/api/networks/${body.id}/graph`, graph)).status).toBe(200);
		expect((await client.json('PATCH', `/api/networks/${body.id}`, { settings })).status).toBe(200);
		ids.push(body.id);
	}
	return ids;
}

describe('run capacity', () => {
	let server: TestServer;

	beforeAll(async () => {
		// Four runs per owner (the default); the process-wide limit scaled down to six to show it.
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_RUNS_TOTAL: '6' } });
		await account(server, 'admin@example.org'); // the first account is the site admin
	}, 120_000);
	afterAll(() => server?.dispose());

	test('one account starting 19 unpaced loops is capped, others meet the server’s limit, and health stays fast while the allowed runs run', async () => {
		const attacker = await account(server, 'loops@example.org');
		const other = await account(server, 'other@example.org');
		const mine = await loops(attacker, 19);
		const theirs = await loops(other, 3);

		const { result } = await underAttack(
			server.url,
			async () => {
				const started = [];
				for (const [i, id] of mine.entries()) started.push(await attacker.json('POST', `/api/networks/${id}/runs`, { input: `a red circle and a blue square ${i}` }));
				const othersStarted = [];
				for (const id of theirs) othersStarted.push(await other.json('POST', `/api/networks/${id}/runs`, { input: 'a green triangle' }));
				await sleep(8000); // the six allowed runs run flat out meanwhile
				return { started, othersStarted };
			},
			{ maxMs: 200, label: '19 unpaced fan-out loops from one account (4 allowed) + 2 from another' }
		);
		const { started, othersStarted } = result;
		expect(started.slice(0, 4).map((s) => s.status)).toEqual([201, 201, 201, 201]);
		for (const refused of started.slice(4)) {
			expect(refused.status).toBe(429);
			expect(refused.body).toMatchObject({
				error: expect.stringMatching(/owner already has 4 runs going at once, the most one account may run on this server/),
				details: { limit: 'runs-per-owner', max: 4 }
			});
		}
		expect(othersStarted.map((s) => s.status)).toEqual([201, 201, 429]);
		expect(othersStarted[2].body).toMatchObject({ error: expect.stringMatching(/server is already running 6 runs at once/), details: { limit: 'runs-total', max: 6 } });
		expect(othersStarted[2].res.headers.get('retry-after')).toBe('30');

		// The allowed runs really ran: each made progress.
		const allowed: Array<[ApiClient, string]> = [...mine.slice(0, 4).map((id) => [attacker, id] as [ApiClient, string]), ...theirs.slice(0, 2).map((id) => [other, id] as [ApiClient, string])];
		for (const [client, id] of allowed) {
			const [run] = (await client.json('GET', `/api/networks/${id}/runs`)).body;
			expect(run.status).toBe('running');
			expect(run.invocationCount).toBeGreaterThan(5);
		}
	}, 120_000);

	test('an audience prompt that arrives while the server is full waits in the queue, and starts when a run ends', async () => {
		const host = await account(server, 'host@example.org');
		const [id] = await loops(host, 1, loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 500 } });
		const { code } = (await host.json('POST', `/api/networks/${id}/join-codes`)).body;
		const phone = new ApiClient(server.url);
		expect((await phone.json('POST', `/api/join/${code}`)).status).toBe(200);
		const sent = await phone.json('POST', `/api/networks/${id}/prompts`, { text: 'the sea at dawn' });
		expect(sent).toMatchObject({ status: 201, body: { status: 'queued', position: 1 } });
		await sleep(1500);
		const waiting = await phone.json('GET', `/api/networks/${id}/prompts`);
		expect(waiting.body.prompts[0]).toMatchObject({ status: 'queued', position: 1 });

		// One of the loops ends: the prompt takes its place.
		const attacker = new ApiClient(server.url);
		await attacker.json('POST', '/api/auth/login', { email: 'loops@example.org', password: 'a long password' });
		const runs = (await attacker.json('GET', '/api/networks')).body as Array<{ id: string }>;
		let stopped = false;
		for (const network of runs) {
			const [run] = (await attacker.json('GET', `/api/networks/${network.id}/runs`)).body;
			if (run?.status === 'running' && !stopped) {
				expect((await attacker.json('POST', `/api/runs/${run.id}/stop`)).status).toBe(200);
				stopped = true;
			}
		}
		expect(stopped).toBe(true);
		const started = await until('the waiting prompt started a run', async () => {
			const { body } = await phone.json('GET', `/api/networks/${id}/prompts`);
			return body.prompts[0].status === 'started' && body.prompts[0];
		});
		expect(started.runId).toEqual(expect.any(String));
	}, 60_000);
});
