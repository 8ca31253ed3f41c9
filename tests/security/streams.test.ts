import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';
import { upgradeStatus } from '../sync/harness';
import { flood } from './flood';
import { underAttack } from './health-watch';

/**
 * Issue 11, finding 2: ~20,000 anonymous SSE streams on a public network used up the
 * process's descriptors. Now one address gets a small share of session-less streams (429
 * beyond it), the process stops well short of its descriptor limit (503), and /api/health
 * answers within 200 ms throughout, while a venue's 500 phones behind one address all get in.
 */
interface Stream {
	status: number;
	retryAfter: string | null;
	error?: string;
	/** Resolves once the first chunk (the snapshot) arrived; rejects if the stream fails first. */
	snapshot: Promise<void>;
	close(): void;
}

/** One feed request, held open and drained if admitted; a refusal's JSON error is read. */
async function stream(url: string, cookie?: string): Promise<Stream> {
	const abort = new AbortController();
	const close = () => abort.abort();
	const res = await fetch(url, { headers: cookie ? { cookie } : {}, signal: abort.signal }).catch((error: Error) => error);
	// Status 0: the connection itself failed (counted, so a test can show none did).
	if (res instanceof Error) return { status: 0, retryAfter: null, error: String(res.cause ?? res), snapshot: Promise.resolve(), close };
	if (res.status !== 200 || !res.body) {
		const body = (await res.json().catch(() => ({}))) as { error?: string };
		return { status: res.status, retryAfter: res.headers.get('retry-after'), error: body.error, snapshot: Promise.resolve(), close };
	}
	const reader = res.body.getReader();
	const snapshot = reader.read().then(() => undefined);
	// Keep reading so the server never sees a stalled client; stop quietly on abort.
	void snapshot.then(async () => {
		for (;;) if ((await reader.read()).done) return;
	}).catch(() => {});
	return { status: 200, retryAfter: null, snapshot, close };
}

const tally = (streams: Stream[]) =>
	streams.reduce<Record<number, number>>((counts, s) => ({ ...counts, [s.status]: (counts[s.status] ?? 0) + 1 }), {});

/** A server in use has its code compiled: 100 feed requests for no network (404) first. */
const warmUp = (server: TestServer) => flood(100, 2, () => fetch(`${server.url}/api/networks/nope/feed`).then((r) => r.arrayBuffer()));

async function publicLoop(server: TestServer) {
	const owner = new ApiClient(server.url);
	await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'feedback loops' });
	const id = (await owner.json('POST', '/api/networks', { name: 'Open house' })).body.id as string;
	await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'));
	await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public', settings: { pacing: { fixedMs: 1000 } } });
	expect((await owner.json('POST', `/api/networks/${id}/runs`, { input: 'hello hall' })).status).toBe(201);
	return { owner, id };
}

describe('SSE feed streams from one address', () => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1' } });
		({ owner, id } = await publicLoop(server));
	}, 60_000);
	afterAll(() => server?.dispose());

	test('3,000 anonymous streams from one address: 64 get in, the rest 429 with Retry-After; a phone still gets in', async () => {
		const url = `${server.url}/api/networks/${id}/feed`;
		await warmUp(server);
		const { result: streams } = await underAttack(server.url, () => flood(3000, 5, () => stream(url)), {
			maxMs: 200,
			label: '3,000 anonymous SSE streams from one address, 5 at a time'
		});
		console.log(`[security] anonymous streams by status: ${JSON.stringify(tally(streams))}`);
		expect(tally(streams)).toEqual({ 200: 64, 429: 2936 });
		const refused = streams.find((s) => s.status === 429)!;
		expect(refused.error).toMatch(/without joining.*Join with the code on the screen/);
		expect(refused.retryAfter).toBe('5');

		// Someone who joined is not held to the anonymous share, and cards keep coming to them.
		const { body } = await owner.json('POST', `/api/networks/${id}/join-codes`);
		const phone = new ApiClient(server.url);
		await phone.json('POST', `/api/join/${body.code}`);
		const res = await phone.request('GET', `/api/networks/${id}/feed`);
		expect(res.status).toBe(200);
		const reader = res.body!.getReader();
		let text = '';
		await until('a card on the phone', async () => {
			text += new TextDecoder().decode((await reader.read()).value);
			return text.includes('event: card');
		});
		await reader.cancel();

		// Slots come back as streams end.
		for (const s of streams) s.close();
		await until('an anonymous slot is free again', async () => {
			const again = await stream(url);
			again.close();
			return again.status === 200;
		});
	});

	test('1,000 live run streams from one signed-in member: 32 get in, the rest 429 with Retry-After; /api/health stays fast', async () => {
		// The run page's stream (issue 14) is admitted like the feed: a member's session holds 32.
		const runs = (await owner.json('GET', `/api/networks/${id}/runs`)).body;
		const runId = (Array.isArray(runs) ? runs : runs.runs)[0].id as string;
		const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const url = `${server.url}/api/runs/${runId}/events`;
		const { result: streams } = await underAttack(server.url, () => flood(1000, 5, () => stream(url, cookie)), {
			maxMs: 200,
			label: '1,000 run-event streams from one member, 5 at a time'
		});
		console.log(`[security] run streams by status: ${JSON.stringify(tally(streams))}`);
		expect(tally(streams)).toEqual({ 200: 32, 429: 968 });
		expect(streams.find((s) => s.status === 429)!.retryAfter).toMatch(/^\d+$/);
		for (const s of streams) s.close();
	}, 120_000);

	test('a venue: 500 phones behind one address each join and hold a stream', async () => {
		const { body } = await owner.json('POST', `/api/networks/${id}/join-codes`);
		const phones = Array.from({ length: 500 }, () => new ApiClient(server.url));
		const joined = await Promise.all(phones.map((p) => p.json('POST', `/api/join/${body.code}`)));
		expect(joined.filter((j) => j.status !== 200)).toEqual([]);
		const cookie = (p: ApiClient) => [...p.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const started = performance.now();
		const streams = await Promise.all(phones.map((p) => stream(`${server.url}/api/networks/${id}/feed`, cookie(p))));
		expect(tally(streams)).toEqual({ 200: 500 });
		await Promise.all(streams.map((s) => s.snapshot));
		console.log(`[security] venue: 500 phones streaming ${Math.round(performance.now() - started)} ms after they asked`);
		for (const s of streams) s.close();
	}, 90_000);
});

describe('the descriptor ceiling', () => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;

	beforeAll(async () => {
		// 512 descriptors: 256 kept free for the database, files and ordinary requests, so 256
		// streams at most. Per-address caps are lifted so that only the ceiling is in play.
		server = await startServer({
			openFiles: 512,
			env: { PANIC_DUMMY_MODELS: '1', PANIC_STREAMS_PER_ADDRESS: '100000', PANIC_STREAMS_PER_ADDRESS_ANONYMOUS: '100000' }
		});
		({ owner, id } = await publicLoop(server));
	}, 60_000);
	afterAll(() => server?.dispose());

	test('at the ceiling, streams and sockets get 503 while health and pages keep working', async () => {
		expect(server.output()).toContain('live connections: at most 256 (descriptor limit 512, 256 kept free)');
		const url = `${server.url}/api/networks/${id}/feed`;
		await warmUp(server);
		const { result } = await underAttack(
			server.url,
			async () => {
				const streams = await flood(300, 4, () => stream(url));
				// Everything else still works with every stream slot taken.
				const page = await fetch(`${server.url}/login`);
				const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
				const socket = await upgradeStatus(`${server.url.replace('http', 'ws')}/sync/${id}`, { origin: server.url, cookie });
				return { streams, page: page.status, socket };
			},
			{ maxMs: 200, label: '300 streams against a ceiling of 256, 4 at a time' }
		);
		console.log(`[security] streams at the ceiling by status: ${JSON.stringify(tally(result.streams))}`);
		expect(tally(result.streams)).toEqual({ 200: 256, 503: 44 });
		expect(result.streams.find((s) => s.status === 503)).toMatchObject({
			error: expect.stringMatching(/as many live connections as it can take.*Try again/),
			retryAfter: '15'
		});
		expect(result.page).toBe(200);
		// Sockets share the ceiling with streams: the owner's canvas is told the same.
		expect(result.socket).toMatchObject({ status: 503, body: expect.stringMatching(/as many live connections/) });
		for (const s of result.streams) s.close();
		await until('a slot is free again', async () => {
			const again = await stream(url);
			again.close();
			return again.status === 200;
		});
	});
});
