/**
 * Live availability through the production server (issue 12): the dummy platform's check
 * (test-only, PANIC_DUMMY_UNAVAILABLE) says `dummy/upper` is gone. Its members see that on the
 * network as the owner's keys reach it, a run whose path reaches it is refused before it starts
 * naming it, a run that does not reach it starts, and "Check now" cannot hammer providers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { loopGraph } from './helpers/graphs';

const REASON = 'the dummy provider retired upper';

describe('availability API', () => {
	let server: TestServer;
	let owner: ApiClient;
	let viewer: ApiClient;
	let stranger: ApiClient;
	let id: string;

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_DUMMY_UNAVAILABLE: `dummy/upper:${REASON}` } });
		owner = new ApiClient(server.url);
		viewer = new ApiClient(server.url);
		stranger = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		await viewer.json('POST', '/api/auth/signup', { email: 'viewer@example.org', password: 'viewer password' });
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'stranger password' });
		id = (await owner.json('POST', '/api/networks', { name: 'Avail' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		const { url } = (await owner.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' })).body;
		expect((await viewer.json('POST', `/api/invites/${new URL(url).pathname.split('/').pop()}`)).status).toBe(200);
	});
	afterAll(() => server?.dispose());

	test('Check now asks the provider; a second press within a minute is refused with Retry-After', async () => {
		const checked = await owner.json('POST', '/api/me/availability/check', { platform: 'dummy' });
		expect(checked.status).toBe(200);
		expect(checked.body.platforms.dummy).toMatchObject({ canCheck: true, checkedAt: expect.any(String) });
		expect(checked.body.models['dummy/upper']).toMatchObject({ state: 'unavailable', reason: REASON });
		expect(checked.body.models['dummy/echo']).toMatchObject({ state: 'available' });

		const again = await owner.request('POST', '/api/me/availability/check', {});
		expect(again.status).toBe(429);
		expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await again.json()).error).toMatch(/Check again in \d+ seconds?/);
		// Unknown fields and platforms are refused; the body is JSON only.
		expect((await owner.json('POST', '/api/me/availability/check', { platform: 'nowhere' })).status).toBe(400);
		expect((await owner.request('POST', '/api/me/availability/check', 'platform=dummy', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
		// The user's own view says the same.
		const mine = await owner.json('GET', '/api/me/availability');
		expect(mine.body.models['dummy/upper']).toMatchObject({ state: 'unavailable', reason: REASON });
	});

	test('members see the network as the owner\'s keys reach it; strangers see nothing', async () => {
		for (const member of [owner, viewer]) {
			const seen = await member.json('GET', `/api/networks/${id}/availability`);
			expect(seen.status).toBe(200);
			expect(seen.body.models['dummy/upper']).toMatchObject({ state: 'unavailable', reason: REASON });
		}
		expect((await stranger.json('GET', `/api/networks/${id}/availability`)).status).toBe(404);
		expect((await new ApiClient(server.url).json('GET', `/api/networks/${id}/availability`)).status).toBe(401);
	});

	test('a run whose path reaches the unavailable model is refused before it starts, naming it', async () => {
		const refused = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'hello' } });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toBe(`Dummy upper (dummy/upper) is not available: ${REASON}.`);
		expect(refused.body.details.unavailableModels).toEqual([{ id: 'dummy/upper', name: 'Dummy upper', reason: REASON }]);
		expect((await owner.json('GET', `/api/networks/${id}/runs`)).body).toEqual([]);
	});

	test('a run that does not reach it starts', async () => {
		const graph = { ...loopGraph('dummy/echo', 'dummy/upper'), edges: [] };
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, graph)).status).toBe(200);
		const started = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'hello' } });
		expect(started.status).toBe(201);
	});
});
