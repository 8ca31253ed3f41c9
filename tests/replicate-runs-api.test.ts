/**
 * Replicate saying no, end to end (issue 12): the production server runs networks of curated
 * Replicate models against the fake Replicate, which answers the way real Replicate does.
 * A 429 that names its wait only in the body's `retry_after` is waited out; a 402 stops the
 * run with the credit message whatever `onError` says; a model removed while a run is going
 * fails its step saying Replicate no longer serves it (not "invalid input").
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeReplicate, type FakeReplicate } from './fakes/fake-replicate';
import { loopGraph } from './helpers/graphs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { runsAs } from './helpers/runs';
import { until } from './helpers/wait';

const KEY = 'r8_owner_key_0123456789abcdefghij';
const FLUX = 'replicate/black-forest-labs/flux-schnell';
const MOONDREAM = 'replicate/lucataco/moondream2';
const FLUX_CREATE = '/v1/models/black-forest-labs/flux-schnell/predictions';
const OFFICIAL_CREATE = 'POST /v1/models/:owner/:name/predictions';


describe('Replicate refusals through the app', () => {
	let replicate: FakeReplicate;
	let server: TestServer;
	let owner: ApiClient;

	let runs: ReturnType<typeof runsAs>;
	const network = (settings: Record<string, unknown>) => runs.network(loopGraph(FLUX, MOONDREAM), settings, 'replicate loop');
	const start = (id: string, text: string) => runs.start(id, text);
	const ended = (runId: string) => runs.ended(runId);

	beforeAll(async () => {
		replicate = await startFakeReplicate({ keys: [KEY] });
		server = await startServer({ env: { REPLICATE_BASE_URL: replicate.baseUrl } });
		owner = new ApiClient(server.url);
		runs = runsAs(owner);
		expect((await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'feedback loops' })).status).toBe(201);
		expect((await owner.json('PUT', '/api/me/keys/replicate', { key: KEY })).status).toBe(200);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
		await replicate?.close();
	});

	test('a 429 with only `retry_after: 2` in its body (no Retry-After header) delays the retry by at least 2 s', async () => {
		const id = await network({ pacing: { fixedMs: 0 }, budgets: { maxInvocations: 1 } });
		replicate.throttleNext({ retryAfterBody: 2, header: false, route: OFFICIAL_CREATE });
		const before = replicate.requests.length;
		const body = await ended(await start(id, 'rate limited'));
		expect(body.invocations[0]).toMatchObject({ state: 'completed', attempts: 2 });
		const creates = replicate.requests.slice(before).filter((r) => r.path === FLUX_CREATE);
		expect(creates).toHaveLength(2);
		expect(creates[1].receivedAt - creates[0].receivedAt).toBeGreaterThanOrEqual(2000);
	});

	test('a 402 stops the run with the credit message, even when errors would be skipped', async () => {
		const id = await network({ pacing: { fixedMs: 0 }, onError: 'continue' });
		replicate.paymentRequiredNext({ kind: 'credit', route: OFFICIAL_CREATE });
		const body = await ended(await start(id, 'no money'));
		expect(body).toMatchObject({ status: 'failed', stopCause: 'error' });
		expect(body.error).toMatch(/^The network owner's Replicate account has no credit, or billing is not set up for it \(402\)/);
		expect(body.error).not.toMatch(/purchase credit|https/);
		expect(body.invocations.map((i) => [i.state, i.attempts])).toEqual([['failed', 1]]);
	});

	test('a model Replicate removes while the run is going fails its step saying so', async () => {
		const id = await network({ pacing: { fixedMs: 0 }, onError: 'continue', budgets: { maxInvocations: 4 } });
		replicate.slowNext(2);
		const before = replicate.requests.length;
		const runId = await start(id, 'going, going');
		// The first image is still being made when the captioner disappears.
		await until('the first poll', () => replicate.requests.slice(before).find((r) => r.method === 'GET' && r.path.startsWith('/v1/predictions/')));
		replicate.removeModel('lucataco/moondream2');
		const body = await ended(runId);
		const caption = body.invocations.find((i) => i.modelId === MOONDREAM);
		expect(body.invocations[0]).toMatchObject({ modelId: FLUX, state: 'completed' });
		expect(caption).toMatchObject({ state: 'failed', attempts: 1, error: 'Replicate no longer serves lucataco/moondream2.' });
		expect(body.error ?? '').not.toMatch(/invalid input|refused the request/);
	});
});
