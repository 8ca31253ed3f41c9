import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { openFeed } from '../helpers/sse';

/**
 * Experiments over HTTP (issue 16): what the routes refuse and why, who may do what, and the
 * live stream from the first run to `end`. The domain's behaviour is in service.test.ts.
 */
describe('experiments API', () => {
	let server: TestServer;
	let ada: ApiClient;
	let bob: ApiClient;
	let eve: ApiClient;
	let id: string;
	const plan = { prompts: ['a red circle', 'a blue square'], runs: 1, steps: 4 };

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1' } });
		[ada, bob, eve] = [new ApiClient(server.url), new ApiClient(server.url), new ApiClient(server.url)];
		for (const [c, name] of [[ada, 'ada'], [bob, 'bob'], [eve, 'eve']] as const) {
			expect((await c.json('POST', '/api/auth/signup', { email: `${name}@example.org`, password: `${name} password!` })).status).toBe(201);
		}
		id = (await ada.json('POST', '/api/networks', { name: 'Experiments' })).body.id;
		expect((await ada.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		const invite = await ada.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' });
		expect((await bob.json('POST', `/api/invites/${new URL(invite.body.url).pathname.split('/').pop()}`)).status).toBe(200);
	});
	afterAll(async () => {
		await server?.dispose();
	});

	const start = (client: ApiClient, body: unknown) => client.json('POST', `/api/networks/${id}/experiments`, body);

	test('bad input is a 4xx that says what is wrong', async () => {
		const refused = async (body: unknown, status: number, message: RegExp) => {
			const res = await start(ada, body);
			expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
			expect(res.body.error).toMatch(message);
		};
		await refused('{"prompts": [', 400, /JSON/i);
		await refused({ ...plan, prompts: Array.from({ length: 201 }, (_, i) => `prompt ${i}`) }, 400, /At most 200 prompts/);
		await refused({ ...plan, prompts: ['x'.repeat(2001)] }, 400, /at most 2000 characters/);
		await refused({ ...plan, prompts: ['  '] }, 400, /empty/);
		await refused({ ...plan, runs: 21 }, 400, /runs/);
		await refused({ ...plan, steps: 0 }, 400, /steps/);
		await refused({ ...plan, steps: 1001 }, 400, /steps/);
		await refused({ ...plan, concurrency: 5 }, 400, /concurrency: at most 4 runs at once/);
		await refused({ ...plan, concurrency: 0 }, 400, /concurrency: at least 1/);
		await refused({ ...plan, concurrency: 1.5 }, 400, /concurrency: a whole number/);
		await refused({ ...plan, lanes: 2 }, 400, /unrecognized/i);
		await refused({ prompts: Array.from({ length: 200 }, (_, i) => `p${i}`), runs: 3, steps: 1 }, 400, /At most 400 runs in all/);
		await refused({ prompts: Array.from({ length: 200 }, (_, i) => `p${i}`), runs: 1, steps: 1000 }, 400, /At most 100000 steps in all/);
		const text = await ada.request('POST', `/api/networks/${id}/experiments`, 'prompts=x', { 'content-type': 'text/plain' });
		expect(text.status).toBe(415);
		expect((await ada.json('GET', '/api/experiments/nosuchexperiment')).status).toBe(404);
	});

	test('viewers read but do not start, estimate or cancel; strangers see nothing; a run going is not replaced', async () => {
		expect((await start(bob, plan)).status).toBe(403);
		expect((await bob.json('POST', `/api/networks/${id}/experiments/estimate`, plan)).status).toBe(403);
		const estimate = await ada.json('POST', `/api/networks/${id}/experiments/estimate`, plan);
		expect(estimate.body).toMatchObject({ invocations: 8, lowUsd: 0, highUsd: 0, free: true });

		const run = await ada.json('POST', `/api/networks/${id}/runs`, { input: 'by hand' });
		const busy = await start(ada, plan);
		expect(busy.status).toBe(409);
		expect(busy.body.error).toMatch(/A run is going on this network/);
		await ada.json('POST', `/api/runs/${run.body.runId}/stop`);

		// A long one, so it is still running for the checks below.
		const long = await start(ada, { prompts: ['long'], runs: 1, steps: 1000 });
		expect(long.status).toBe(201);
		expect((await start(ada, plan)).status).toBe(409);
		expect((await bob.json('GET', `/api/experiments/${long.body.id}`)).status).toBe(200);
		expect((await bob.json('GET', `/api/networks/${id}/experiments`)).status).toBe(200);
		expect((await eve.json('GET', `/api/experiments/${long.body.id}`)).status).toBe(404);
		expect((await eve.json('POST', `/api/experiments/${long.body.id}/cancel`)).status).toBe(404);
		expect((await bob.json('POST', `/api/experiments/${long.body.id}/cancel`)).status).toBe(403);
		const cancelled = await ada.json('POST', `/api/experiments/${long.body.id}/cancel`);
		expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'Cancelled by ada@example.org.' });
		expect((await ada.json('POST', `/api/experiments/${long.body.id}/cancel`)).status).toBe(409);
	});

	test('the stream follows an experiment from its first run to its end', async () => {
		const { body: experiment } = await start(ada, { ...plan, concurrency: 2 });
		expect(experiment).toMatchObject({ concurrency: 2, runsTotal: 2 });
		const feed = await openFeed(bob, `/api/experiments/${experiment.id}/events`);
		expect(feed.res.status).toBe(200);
		await feed.done; // the server closes it after `end`
		const names = feed.events.filter((e) => e.event !== 'comment').map((e) => e.event);
		expect(names[0]).toBe('experiment');
		expect(names.at(-1)).toBe('end');
		expect(feed.events.at(-1)!.data).toEqual({ status: 'done', reason: null });
		const last = new Map(feed.events.filter((e) => e.event === 'run').map((e) => [e.data.seq, e.data]));
		expect([...last.values()].map((r) => [r.prompt, r.status, r.steps])).toEqual([
			['a red circle', 'stopped', 4],
			['a blue square', 'stopped', 4]
		]);
		const done = (await bob.json('GET', `/api/experiments/${experiment.id}`)).body;
		expect(done).toMatchObject({ status: 'done', concurrency: 2, runsDone: 2, stepsDone: 8 });
		expect(done.summary.map((r: { prompt: string }) => r.prompt)).toEqual(plan.prompts);
	});
});
