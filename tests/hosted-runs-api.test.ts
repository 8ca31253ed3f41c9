/**
 * Hosted models end to end: the production server runs networks of catalogued Replicate and
 * OpenAI models against fake provider servers (separate HTTP servers on 127.0.0.1 speaking
 * the providers' real routes), reached through REPLICATE_BASE_URL and OPENAI_BASE_URL, with
 * the owner's saved keys. Covers issue 5's "done when": loops run with the owner's bearer
 * key on the documented routes, a 429 with Retry-After: 2 delays the retry by ≥ 2 s,
 * stopping a run cancels the in-flight prediction (or aborts the in-flight request), and a
 * missing key is named before the run starts. Plus spend, refused keys and models added by
 * name, and output URLs that point anywhere but a provider's file host (issue 11, finding 5).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/fake-openai';
import { startFakeReplicate, type FakeReplicate } from './fakes/fake-replicate';
import { cogSchema } from './fakes/fake-replicate-schemas';
import type { RecordedRequest } from './fakes/http';
import { tinyPng } from './fakes/fake-replicate-models';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';
import { runsAs } from './helpers/runs';
import { loopGraph } from './helpers/graphs';
import { underAttack } from './security/health-watch';

const REPLICATE_KEY = 'r8_owner_key_0123456789abcdefghij';
const OPENAI_KEY = 'sk-owner-key-0123456789abcdefghij';
const FLUX = 'replicate/black-forest-labs/flux-schnell';
const MOONDREAM = 'replicate/lucataco/moondream2';
// Two chat nodes of the one offered OpenAI chat model (gpt-4o-mini and gpt-4.1-mini shut down 2027-01-14).
const LUNA_A = 'openai/gpt-6-luna';
const LUNA_B = 'openai/gpt-6-luna';
const FLUX_CREATE = '/v1/models/black-forest-labs/flux-schnell/predictions';
const CHAT = '/v1/chat/completions';

/** A plain HTTP server on 127.0.0.1 that records what it is asked for. */
async function listen(handle: (url: URL) => { status: number; headers?: Record<string, string>; body?: Uint8Array }) {
	const hits: string[] = [];
	const server = createServer((req, res) => {
		hits.push(req.url ?? '');
		const reply = handle(new URL(req.url ?? '/', 'http://x'));
		res.writeHead(reply.status, reply.headers).end(reply.body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, hits, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('hosted models through the app', () => {
	let replicate: FakeReplicate;
	let openai: FakeOpenAI;
	let server: TestServer;
	let owner: ApiClient;
	/** Stands for a service inside the network: it must never be asked for anything. */
	let internal: { server: Server; hits: string[]; origin: string };
	/** A file host the operator allowed (PANIC_OUTPUT_HOSTS) that redirects wherever it is told. */
	let relay: { server: Server; hits: string[]; origin: string };
	const secret = tinyPng(99);

	let network: ReturnType<typeof runsAs>['network'];
	let start: ReturnType<typeof runsAs>['start'];
	let run: ReturnType<typeof runsAs>['run'];
	let ended: ReturnType<typeof runsAs>['ended'];
	const authorised = (requests: RecordedRequest[], key: string) => requests.every((r) => r.headers.authorization === `Bearer ${key}`);

	beforeAll(async () => {
		internal = await listen(() => ({ status: 200, headers: { 'content-type': 'image/png' }, body: secret }));
		relay = await listen((url) => ({ status: 302, headers: { location: url.searchParams.get('to') ?? '/' } }));
		[replicate, openai] = await Promise.all([
			startFakeReplicate({
				keys: [REPLICATE_KEY],
				models: {
					// Not in the catalogue: a community captioner whose payload field is `picture`.
					'someone/pixel-poet': {
						description: 'Writes a short poem about a picture.',
						openapiSchema: cogSchema({ picture: { type: 'string', format: 'uri' }, temperature: { type: 'number' } }, ['picture'], {
							type: 'array',
							items: { type: 'string' },
							'x-cog-array-type': 'iterator'
						}),
						run: (input) => [`a poem about `, `${String(input.picture).slice(0, 21)}`]
					},
					// A model anyone can publish: its "image" is whatever URL its prompt names.
					'someone/fetcher': {
						description: 'Returns the URL it is given as its output image.',
						openapiSchema: cogSchema({ prompt: { type: 'string' } }, ['prompt'], { type: 'string', format: 'uri' }),
						run: (input) => String(input.prompt)
					}
				}
			}),
			startFakeOpenAI({ keys: [OPENAI_KEY] })
		]);
		server = await startServer({ env: { REPLICATE_BASE_URL: replicate.baseUrl, OPENAI_BASE_URL: openai.baseUrl, PANIC_OUTPUT_HOSTS: relay.origin } });
		owner = new ApiClient(server.url);
		({ network, start, run, ended } = runsAs(owner));
		expect((await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'feedback loops' })).status).toBe(201);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
		await Promise.all([replicate?.close(), openai?.close()]);
		for (const s of [internal, relay]) s?.server.close();
	});

	test('a network that needs a key its owner lacks says which, before the run starts', async () => {
		const id = await network(loopGraph(FLUX, MOONDREAM), { pacing: { fixedMs: 0 } });
		const overview = await owner.json('GET', `/api/networks/${id}`);
		expect(overview.body.missingKeys).toEqual(['replicate']);
		const refused = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'hi' } });
		expect(refused.status).toBe(400);
		expect(refused.body).toEqual({
			error: 'This network runs Replicate models, but its owner has no Replicate key saved. The owner can add it under Account → Keys.',
			details: { missingKeys: ['replicate'] }
		});
		expect((await owner.json('GET', `/api/networks/${id}/runs`)).body).toEqual([]);
		expect(replicate.requests).toEqual([]);
	});

	test("a refused key stops the run and says it was the owner's Replicate key", async () => {
		await owner.json('PUT', '/api/me/keys/replicate', { key: 'r8_not_a_key_the_fake_knows_000000' });
		const id = await network(loopGraph(FLUX, MOONDREAM), { pacing: { fixedMs: 0 }, onError: 'continue' });
		const body = await ended(await start(id, 'a lighthouse in fog'));
		expect(body).toMatchObject({ status: 'failed', stopCause: 'error' });
		expect(body.error).toMatch(/^The network owner's Replicate key was refused \(401\)/);
		expect(body.error).not.toContain('r8_not');
		expect(body.invocations.map((i) => [i.state, i.attempts])).toEqual([['failed', 1]]);
	});

	test('a Replicate text→image→text loop runs with the owner key on the documented routes, with costs', async () => {
		await owner.json('PUT', '/api/me/keys/replicate', { key: REPLICATE_KEY });
		const before = replicate.requests.length;
		const id = await network(loopGraph(FLUX, MOONDREAM), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 6 } });
		const body = await ended(await start(id, 'a lighthouse in fog'));
		expect(body).toMatchObject({ status: 'stopped', stopCause: 'budget', error: null });
		const done = body.invocations.filter((i) => i.state === 'completed');
		expect(done.length).toBeGreaterThanOrEqual(4);
		expect(done.map((i) => i.output?.kind)).toEqual(done.map((_, n) => (n % 2 === 0 ? 'image' : 'text')));
		expect(done.filter((i) => i.output?.kind === 'image').every((i) => i.output?.url?.startsWith('/assets/'))).toBe(true);
		expect(done.every((i) => i.providerRequestId && i.costEstimate! > 0 && i.metrics?.predictTimeSeconds! > 0)).toBe(true);
		expect(body.spendUsd).toBeCloseTo(done.reduce((sum, i) => sum + i.costEstimate!, 0), 10);

		const api = replicate.requests.slice(before).filter((r) => r.path.startsWith('/v1/'));
		expect(authorised(api, REPLICATE_KEY)).toBe(true);
		const routes = new Set(api.map((r) => `${r.method} ${r.path.replace(/\/v1\/predictions\/[^/]+$/, '/v1/predictions/:id')}`));
		expect(routes).toContain(`POST ${FLUX_CREATE}`);
		expect(routes).toContain('GET /v1/models/lucataco/moondream2');
		expect(routes).toContain('POST /v1/predictions');
		// Images reach Replicate inline, never as an address on this server.
		const captions = api.filter((r) => r.method === 'POST' && r.path === '/v1/predictions').map((r) => JSON.parse(r.body));
		expect(captions.length).toBeGreaterThan(0);
		for (const create of captions) expect(create.input.image).toMatch(/^data:image\/png;base64,/);

		const overview = await owner.json('GET', `/api/networks/${id}`);
		expect(overview.body.spendUsd).toBeCloseTo(body.spendUsd, 10);
		expect(overview.body.missingKeys).toEqual([]);
	});

	test('a Replicate 429 with Retry-After: 2 delays the retry by at least 2 s', async () => {
		const id = await network(loopGraph(FLUX, MOONDREAM), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 1 } });
		replicate.failNext(429, { route: 'POST /v1/models/:owner/:name/predictions', headers: { 'retry-after': '2' } });
		const before = replicate.requests.length;
		const body = await ended(await start(id, 'rate limited'));
		expect(body.invocations[0]).toMatchObject({ state: 'completed', attempts: 2 });
		const creates = replicate.requests.slice(before).filter((r) => r.path === FLUX_CREATE);
		expect(creates).toHaveLength(2);
		expect(creates[1].receivedAt - creates[0].receivedAt).toBeGreaterThanOrEqual(2000);
	});

	test('stopping a run cancels its in-flight Replicate prediction', async () => {
		const id = await network(loopGraph(FLUX, MOONDREAM), { pacing: { fixedMs: 0 } });
		replicate.slowNext(1000);
		const before = replicate.requests.length;
		const runId = await start(id, 'slow');
		const created = await until('a prediction being polled', () => {
			const polls = replicate.requests.slice(before).filter((r) => r.method === 'GET' && r.path.startsWith('/v1/predictions/'));
			return polls[0];
		});
		const predictionId = created.path.split('/').pop()!;
		const stopped = await owner.json('POST', `/api/runs/${runId}/stop`);
		expect(stopped.body).toMatchObject({ status: 'stopped', stopCause: 'stopped' });
		const cancel = await until('the cancel', () =>
			replicate.requests.find((r) => r.method === 'POST' && r.path === `/v1/predictions/${predictionId}/cancel`)
		);
		expect(cancel.headers.authorization).toBe(`Bearer ${REPLICATE_KEY}`);
		expect((await run(runId)).invocations[0].state).toBe('cancelled');
	});

	test('an OpenAI chat loop runs with the owner key; a 429 waits for Retry-After; stop aborts the call', async () => {
		await owner.json('PUT', '/api/me/keys/openai', { key: OPENAI_KEY });
		const id = await network(loopGraph(LUNA_A, LUNA_B), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 4 } });
		const before = openai.requests.length;
		const body = await ended(await start(id, 'a lighthouse in fog'));
		const done = body.invocations.filter((i) => i.state === 'completed');
		expect(done.map((i) => i.modelId)).toEqual([LUNA_A, LUNA_B, LUNA_A, LUNA_B].slice(0, done.length));
		expect(done.length).toBeGreaterThanOrEqual(3);
		expect(done.every((i) => i.output?.kind === 'text' && i.output.text && i.metrics?.totalTokens! > 0 && i.costEstimate! > 0)).toBe(true);
		const chats = openai.requests.slice(before);
		expect(chats.every((r) => r.method === 'POST' && r.path === CHAT)).toBe(true);
		expect(authorised(chats, OPENAI_KEY)).toBe(true);
		expect(chats.map((r) => JSON.parse(r.body).model)).toEqual(['gpt-6-luna', 'gpt-6-luna', 'gpt-6-luna', 'gpt-6-luna'].slice(0, chats.length));

		const limited = await network(loopGraph(LUNA_A, LUNA_B), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 1 } });
		openai.failNext(429, { route: `POST ${CHAT}`, headers: { 'retry-after': '2' } });
		const mark = openai.requests.length;
		const retried = await ended(await start(limited, 'rate limited'));
		expect(retried.invocations[0]).toMatchObject({ state: 'completed', attempts: 2 });
		const attempts = openai.requests.slice(mark);
		expect(attempts).toHaveLength(2);
		expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(2000);

		const slow = await network(loopGraph(LUNA_A, LUNA_B), { pacing: { fixedMs: 0 } });
		openai.delayNext(20_000, { route: `POST ${CHAT}` });
		const inFlight = openai.requests.length;
		const runId = await start(slow, 'slow');
		await until('the chat request', () => openai.requests.length > inFlight);
		await owner.json('POST', `/api/runs/${runId}/stop`);
		await until('the request to be abandoned', () => openai.abandoned.some((r) => r === openai.requests[inFlight]), 5_000);
	});

	test('any Replicate model can be added by name, found in the palette, and run in a loop', async () => {
		const preview = await owner.json('POST', '/api/me/models/preview', { ref: 'someone/pixel-poet' });
		expect(preview.status, JSON.stringify(preview.body)).toBe(200);
		expect(preview.body).toMatchObject({ id: 'replicate/someone/pixel-poet', input: 'image', output: 'text' });
		expect(preview.body.replicate).toMatchObject({ inputField: 'picture', outputShape: 'text' });
		expect((await owner.json('GET', '/api/me/models')).body).toEqual([]);

		const added = await owner.json('POST', '/api/me/models', { ref: 'someone/pixel-poet', name: 'Pixel poet' });
		expect(added.status).toBe(201);
		expect((await owner.json('GET', '/api/me/models')).body.map((m: { name: string }) => m.name)).toEqual(['Pixel poet']);
		const palette = (await owner.json('GET', '/api/models?input=image&output=text')).body as Array<{ id: string; custom?: boolean; replicate?: unknown }>;
		expect(palette.find((m) => m.id === 'replicate/someone/pixel-poet')).toMatchObject({ custom: true });
		expect(palette.every((m) => m.replicate === undefined)).toBe(true); // call specs stay on the server

		const id = await network(loopGraph(FLUX, 'replicate/someone/pixel-poet'), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 4 } });
		const body = await ended(await start(id, 'a lighthouse in fog'));
		const poems = body.invocations.filter((i) => i.state === 'completed' && i.modelId === 'replicate/someone/pixel-poet');
		expect(poems.length).toBeGreaterThanOrEqual(1);
		expect(poems[0].output?.text).toBe('a poem about data:image/png;base64');

		// Bad names and curated ones are refused with a reason.
		const bad = await owner.json('POST', '/api/me/models/preview', { ref: 'not a model' });
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatch(/owner\/name/);
		const missing = await owner.json('POST', '/api/me/models/preview', { ref: 'nobody/nothing' });
		expect(missing.status).toBe(400);
		expect(missing.body.error).toMatch(/no such model on Replicate/);

		const curated = await owner.json('POST', '/api/me/models', { ref: 'lucataco/moondream2' });
		expect(curated.status).toBe(400);
		expect(curated.body.error).toMatch(/already in the catalogue/);
		expect((await owner.json('DELETE', '/api/me/models/replicate/someone/pixel-poet')).status).toBe(200);
		expect((await owner.json('DELETE', '/api/me/models/replicate/someone/pixel-poet')).status).toBe(404);
	});

	test('an output URL that points inside the network, redirects there, or names another host fails the step with one message; nothing is fetched or stored', async () => {
		await owner.json('PUT', '/api/me/keys/replicate', { key: REPLICATE_KEY });
		const added = await owner.json('POST', '/api/me/models', { ref: 'someone/fetcher', name: 'Fetcher', input: 'text', output: 'image' });
		expect(added.status, JSON.stringify(added.body)).toBe(201);
		const graph = { nodes: [{ id: 'a', modelId: 'replicate/someone/fetcher', x: 0, y: 0 }], edges: [], startNodeId: 'a' };
		const inside = `http://127.0.0.1:${new URL(internal.origin).port}/secret.png`;
		const targets = [
			inside,
			`http://0x7f.1:${new URL(internal.origin).port}/secret.png`,
			`http://localhost:${new URL(internal.origin).port}/secret.png`,
			'http://169.254.169.254/latest/meta-data/',
			`${relay.origin}/files/out.png?to=${encodeURIComponent(inside)}`,
			'https://files.example.com/out.png'
		];
		// With /api/health watched from another process all the while (issue 11: within 200 ms).
		await underAttack(
			server.url,
			async () => {
				for (const target of targets) {
					const id = await network(graph, { pacing: { fixedMs: 0 } });
					const body = await ended(await start(id, target));
					expect(body.invocations, target).toHaveLength(1);
					expect(body.invocations[0], target).toMatchObject({ state: 'failed', output: null, error: "The provider's output file could not be downloaded." });
					expect(body.status).toBe('failed');
				}
			},
			{ label: 'output URLs inside the network' }
		);
		expect(internal.hits).toEqual([]);
		expect(relay.hits).toHaveLength(1);
		const stored = fs.readdirSync(path.join(server.dataDir, 'assets'), { recursive: true }).map(String);
		const sha = createHash('sha256').update(secret).digest('hex');
		expect(stored.filter((name) => name.includes(sha))).toEqual([]);
		// The same model naming a file on the provider's own host works (the fake's files are on its base URL).
		replicate.files.set('fetched.png', { bytes: tinyPng(5), type: 'image/png' });
		const id = await network(graph, { pacing: { fixedMs: 0 } });
		const fine = await ended(await start(id, `${replicate.url}/files/fetched.png`));
		expect(fine.invocations[0]).toMatchObject({ state: 'completed', output: { kind: 'image' } });
	});
});
