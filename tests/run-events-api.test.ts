import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { openFeed, type SseEvent } from './helpers/sse';
import { until } from './helpers/wait';

/**
 * `GET /api/runs/:id/events`: a run as it happens, for the run page. Who may watch is the feed
 * room's policy; bad ids are a clear 4xx; the stream follows the run (invocations, pause and
 * resume, the analysis) and says `end` and closes when the run ends; streams count under the
 * per-session connection cap like every other long-lived connection.
 */
describe('run events API', () => {
	let server: TestServer;
	let owner: ApiClient;
	let networkId: string;

	const graph = {
		nodes: [
			{ id: 'a', modelId: 'dummy/echo', x: 0, y: 0 },
			{ id: 'b', modelId: 'dummy/upper', x: 200, y: 0 }
		],
		edges: [
			{ id: 'ab', source: 'a', target: 'b' },
			{ id: 'ba', source: 'b', target: 'a' }
		],
		startNodeId: 'a'
	};
	const startRun = async (input: string) => {
		const started = await owner.json('POST', `/api/networks/${networkId}/runs`, { input });
		expect(started.status).toBe(201);
		return started.body.runId as string;
	};
	const last = (events: SseEvent[], name: string) => events.filter((e) => e.event === name).at(-1)?.data;

	beforeAll(async () => {
		// Three streams per session, so the cap is quick to reach.
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_STREAMS_PER_SESSION: '3' } });
		owner = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' });
		networkId = (await owner.json('POST', '/api/networks', { name: 'Loop' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${networkId}/graph`, graph)).status).toBe(200);
		// Slow enough to pause mid-run; no stop at the fixed point echo ↔ upper reaches at once.
		const settings = { pacing: { fixedMs: 150 }, stopOnFixedPoint: false, budgets: { maxInvocations: 2000 } };
		expect((await owner.json('PATCH', `/api/networks/${networkId}`, { settings })).status).toBe(200);
	}, 180_000);
	afterAll(() => server?.dispose());

	test('the stream follows a run: new invocations, pause and resume, the finding; then end, and it closes', async () => {
		const runId = await startRun('hello sea');
		const stream = await openFeed(owner, `/api/runs/${runId}/events`);
		expect(stream.res.status).toBe(200);
		expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
		const { events } = stream;
		// The snapshot: the run and its newest invocations.
		await until('the first run event', async () => last(events, 'run')?.status === 'running');
		// It moves on by itself, without asking again.
		await until('ten invocations', async () => (last(events, 'invocations')?.total ?? 0) >= 10, 30_000);
		const page = last(events, 'invocations');
		expect(page.items.length).toBeLessThanOrEqual(50);
		expect(page.items.at(-1).seq).toBe(page.total);
		// The analysis comes along, and names the fixed point echo ↔ upper settles on.
		await until('the fixed point', async () => last(events, 'analysis')?.analysis?.fixedPoint?.kind === 'fixed_point', 30_000);

		expect((await owner.json('POST', `/api/runs/${runId}/pause`)).status).toBe(200);
		await until('the pause', async () => !!last(events, 'run')?.pausedAt);
		expect((await owner.json('POST', `/api/runs/${runId}/resume`)).status).toBe(200);
		await until('the resume', async () => last(events, 'run')?.pausedAt === null);

		expect((await owner.json('POST', `/api/runs/${runId}/stop`)).status).toBe(200);
		await stream.done; // the server closed the stream
		expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'stopped', stopCause: 'stopped' } });
		expect(last(events, 'run')).toMatchObject({ status: 'stopped', stopCause: 'stopped' });
	}, 90_000);

	test('an ended run: the stream says where it ended, then end, and closes at once', async () => {
		const runId = await startRun('brief');
		expect((await owner.json('POST', `/api/runs/${runId}/stop`)).status).toBe(200);
		const stream = await openFeed(owner, `/api/runs/${runId}/events`);
		expect(stream.res.status).toBe(200);
		await stream.done;
		expect(stream.events.map((e) => e.event)).toEqual(['run', 'invocations', 'analysis', 'end']);
		expect(stream.events[3].data).toEqual({ status: 'stopped', stopCause: 'stopped' });
	});

	test('strangers may not watch a private network’s run; bad ids are a clear 4xx', async () => {
		const runId = await startRun('private matters');
		const anonymous = new ApiClient(server.url);
		const refused = await anonymous.request('GET', `/api/runs/${runId}/events`);
		expect(refused.status).toBe(401);
		expect((await refused.json()).error).toMatch(/log in/i);

		const stranger = new ApiClient(server.url);
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'stranger pass' });
		const hidden = await stranger.request('GET', `/api/runs/${runId}/events`);
		expect(hidden.status).toBe(404);
		expect((await hidden.json()).error).toBe('No such run.');

		const unknown = await owner.request('GET', '/api/runs/nosuchrun000000/events');
		expect(unknown.status).toBe(404);
		expect((await unknown.json()).error).toBe('No such run.');
		const malformed = await owner.request('GET', `/api/runs/${encodeURIComponent('bad id!')}/events`);
		expect(malformed.status).toBe(400);
		expect((await malformed.json()).error).toBe('That is not a run id.');

		// Unlisted: anyone with the link may watch, as they may read the feed.
		expect((await owner.json('PATCH', `/api/networks/${networkId}`, { visibility: 'unlisted' })).status).toBe(200);
		const watching = await openFeed(anonymous, `/api/runs/${runId}/events`);
		expect(watching.res.status).toBe(200);
		await until('the run event', async () => !!last(watching.events, 'run'));
		// Made private again: those who watched only because it was unlisted are told, and the stream ends.
		expect((await owner.json('PATCH', `/api/networks/${networkId}`, { visibility: 'private' })).status).toBe(200);
		await watching.done;
		expect(watching.events.at(-1)).toEqual({ event: 'closed', data: { reason: 'This network is now private.' } });
		await owner.json('POST', `/api/runs/${runId}/stop`);
	});

	test('streams count under the per-session cap: one more is refused with 429', async () => {
		const runId = await startRun('many tabs');
		const open = [];
		for (let i = 0; i < 3; i++) {
			const s = await openFeed(owner, `/api/runs/${runId}/events`);
			expect(s.res.status).toBe(200);
			open.push(s);
		}
		const refused = await owner.request('GET', `/api/runs/${runId}/events`);
		expect(refused.status).toBe(429);
		await refused.body?.cancel();
		// Closing one frees its place.
		await open.pop()!.close();
		await until('a place to be free', async () => {
			const s = await openFeed(owner, `/api/runs/${runId}/events`);
			if (s.res.status !== 200) return false;
			open.push(s);
			return true;
		});
		await owner.json('POST', `/api/runs/${runId}/stop`);
		await Promise.all(open.map((s) => s.done));
	});
});
