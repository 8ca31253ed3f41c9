import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';
import { flood } from './flood';
import { underAttack } from './health-watch';

/**
 * Issue 16's public endpoints under attack, each refused by its own limit while /api/health
 * stays fast: experiment starts (5 a minute per person, 429), atlas computations (20 a minute
 * per person, 429; 2 at once per process, 503), and an experiment's live stream (counted with
 * every long-lived connection: 32 per login session, 429).
 */

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});
const cookieOf = (client: ApiClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Runs for the atlas: this many short finished runs give 2^RUNS − 1 distinct run sets. */
const RUNS = 7;

describe('experiments and the atlas under attack', () => {
	let server: TestServer;
	let owner: ApiClient;
	const signup = async (email: string) => {
		const client = new ApiClient(server.url);
		expect((await client.json('POST', '/api/auth/signup', { email, password: 'feedback loops' })).status).toBe(201);
		return client;
	};
	const network = async (name: string, graph: ReturnType<typeof loopGraph>, settings: Record<string, unknown> = {}) => {
		const id = (await owner.json('POST', '/api/networks', { name })).body.id as string;
		await owner.json('PUT', `/api/networks/${id}/graph`, graph);
		await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 0 }, ...settings } });
		return id;
	};

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1' } });
		owner = await signup('host@example.org');
	}, 60_000);
	afterAll(() => server?.dispose());

	test('a flood of atlas computations: 20 a minute per person (429), 2 at once per process (503); /api/health stays fast', async () => {
		const id = await network('Atlas', loopGraph('dummy/echo', 'dummy/upper'), { budgets: { maxInvocations: 2 } });
		const runIds: string[] = [];
		for (let i = 0; i < RUNS; i++) {
			const { runId } = (await owner.json('POST', `/api/networks/${id}/runs`, { input: `prompt ${i}` })).body;
			// The run goes on in the server's process: polled.
			await until(`run ${i} ended`, async () => (await owner.json('GET', `/api/runs/${runId}?limit=1`)).body.status !== 'running');
			runIds.push(runId);
		}
		// Every request another set of runs: none is a cached atlas, each one is computed.
		const runSet = (mask: number) => runIds.filter((_, i) => mask & (1 << i)).join(',');
		let next = 1;
		/** The run sets whose atlas was computed (200), newest last. */
		const computed: number[] = [];
		const atlas = async (client: ApiClient) => {
			const mask = next++;
			const res = await client.request('GET', `/api/networks/${id}/atlas?runs=${runSet(mask)}`);
			if (res.status === 200) computed.push(mask);
			return res;
		};
		const statusOf = async (res: Response) => (await res.arrayBuffer(), res.status);

		// One person, two at a time (never more than the process computes at once): 20 computed, then 429.
		const { result: perPerson } = await underAttack(
			server.url,
			() => flood(40, 2, async () => {
				const res = await atlas(owner);
				if (res.status === 429) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
				return statusOf(res);
			}),
			{ label: '40 atlas computations by one person, 2 at a time' }
		);
		console.log(`[security] atlas computations by one person: ${JSON.stringify(tally(perPerson))}`);
		expect(tally(perPerson)).toEqual({ 200: 20, 429: 20 });

		// Three viewers of the (now public) network, six requests in flight at any time (eight
		// each, within their rate): two are computed at a time, the rest are 503.
		await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public' });
		const viewers = await Promise.all(['v1', 'v2', 'v3'].map((v) => signup(`${v}@example.org`)));
		let turn = 0;
		const { result: burst } = await underAttack(
			server.url,
			() =>
				flood(24, 6, async () => {
					const res = await atlas(viewers[turn++ % viewers.length]);
					if (res.status === 503) expect(res.headers.get('retry-after')).toBe('5');
					return statusOf(res);
				}),
			{ label: '24 atlas computations by three people, 6 at a time' }
		);
		console.log(`[security] atlas computations at once: ${JSON.stringify(tally(burst))}`);
		expect(Object.keys(tally(burst)).sort()).toEqual(['200', '503']);
		expect(tally(burst)[200]).toBeGreaterThanOrEqual(2);
		// A cached atlas is not a computation: the owner, out of computations, still reads one (the
		// newest computed: a network keeps its newest 16 atlases, and 22 or more were computed).
		expect((await owner.request('GET', `/api/networks/${id}/atlas?runs=${runSet(computed.at(-1)!)}`)).status).toBe(200);
	}, 60_000);

	test('a flood of experiment starts: 5 a minute per person, then 429; a live experiment’s streams: 32 per session, then 429', async () => {
		// Four quick experiments and one that waits (its stream stays open), on five networks.
		const quick = await Promise.all([1, 2, 3, 4].map((n) => network(`Quick ${n}`, loopGraph('dummy/echo', 'dummy/upper'))));
		const slow = await network('Slow', loopGraph('dummy/slow', 'dummy/slow', { ms: 60_000 }));
		const start = (networkId: string) => owner.json('POST', `/api/networks/${networkId}/experiments`, { prompts: ['hello'], runs: 1, steps: 2 });
		for (const networkId of quick) expect((await start(networkId)).status).toBe(201);
		const live = await start(slow);
		expect(live.status).toBe(201);

		const spare = await network('Spare', loopGraph('dummy/echo', 'dummy/upper'));
		const { result: starts } = await underAttack(
			server.url,
			() =>
				flood(60, 4, async () => {
					const res = await owner.request('POST', `/api/networks/${spare}/experiments`, { prompts: ['hello'], runs: 1, steps: 2 });
					if (res.status === 429) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
					return (await res.arrayBuffer(), res.status);
				}),
			{ label: '60 experiment starts by one person, 4 at a time' }
		);
		console.log(`[security] experiment starts beyond 5 a minute: ${JSON.stringify(tally(starts))}`);
		expect(tally(starts)).toEqual({ 429: 60 });

		// The live experiment's event stream, from the owner's one session: 32 held, the rest 429.
		const url = `${server.url}/api/experiments/${live.body.id}/events`;
		const cookie = cookieOf(owner);
		const held: AbortController[] = [];
		const { result: streams } = await underAttack(
			server.url,
			() =>
				flood(300, 5, async () => {
					const abort = new AbortController();
					const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
					if (res.status === 200) {
						held.push(abort);
						// Read on, so the server never holds a stalled stream.
						void (async () => {
							const reader = res.body!.getReader();
							for (;;) if ((await reader.read()).done) return;
						})().catch(() => {});
					} else {
						expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
						await res.arrayBuffer();
					}
					return res.status;
				}),
			{ label: '300 experiment event streams from one session, 5 at a time' }
		);
		console.log(`[security] experiment streams by status: ${JSON.stringify(tally(streams))}`);
		expect(tally(streams)).toEqual({ 200: 32, 429: 268 });
		for (const abort of held) abort.abort();
		expect((await owner.json('POST', `/api/experiments/${live.body.id}/cancel`)).status).toBe(200);
	}, 60_000);
});
