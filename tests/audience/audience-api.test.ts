import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from '../helpers/databases';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { openFeed } from '../helpers/sse';
import { until } from '../helpers/wait';

/**
 * The audience over HTTP, against the production server: join codes, 200 phones behind one
 * address joining and prompting within a minute, removal, the end of an event, and the live
 * feed as Server-Sent Events.
 */
describe.each(backends())('audience API on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;
	let code: string;

	beforeAll(async () => {
		server = await startServer({ backend: name, env: { PANIC_DUMMY_MODELS: '1' } });
		owner = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' });
		id = (await owner.json('POST', `/api/networks`, { name: 'Symposium' })).body.id;
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
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, graph)).status).toBe(200);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 100 } } })).status).toBe(200);
	}, 120_000);
	afterAll(() => server?.dispose());

	test('audience settings live in PATCH /api/networks/:id (owner only) and come back resolved', async () => {
		const patched = await owner.json('PATCH', `/api/networks/${id}`, { audience: { rotateSeconds: 120 } });
		expect(patched.status).toBe(200);
		expect(patched.body.audience).toMatchObject({ rotateSeconds: 120, codeValidSeconds: 3600, queueMode: 'auto', maxQueue: 200 });
		expect((await owner.json('PATCH', `/api/networks/${id}`, { audience: { queueMode: 'chaos' } })).status).toBe(400);
		expect((await owner.json('GET', `/api/networks/${id}`)).body.audience.rotateSeconds).toBe(120);
		await owner.json('PATCH', `/api/networks/${id}`, { audience: { rotateSeconds: 300 } });
	});

	test('a member mints a code; the projector polls the current one; strangers may not', async () => {
		const minted = await owner.json('POST', `/api/networks/${id}/join-codes`);
		expect(minted.status).toBe(201);
		expect(minted.body.code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
		expect(minted.body.url).toBe(`${server.url}/j/${minted.body.code}`);
		expect(new Date(minted.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(3500_000);
		expect(new Date(minted.body.rotatesAt).getTime() - Date.now()).toBeGreaterThan(250_000);
		const current = await Promise.all([owner.json('GET', `/api/networks/${id}/join-codes/current`), owner.json('GET', `/api/networks/${id}/join-codes/current`)]);
		expect(current.map((c) => c.body.code)).toEqual([minted.body.code, minted.body.code]);
		code = minted.body.code;

		const stranger = new ApiClient(server.url);
		expect((await stranger.json('POST', `/api/networks/${id}/join-codes`)).status).toBe(401);
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'stranger pass' });
		expect((await stranger.json('POST', `/api/networks/${id}/join-codes`)).status).toBe(404);
		expect((await new ApiClient(server.url).json('POST', '/api/join/ZZZZZZZZZZ')).status).toBe(404);
	});

	test('the feed streams a snapshot, then cards once a run starts', async () => {
		const phone = new ApiClient(server.url);
		const joined = await phone.json('POST', `/api/join/${code}`);
		expect(joined.status).toBe(200);
		expect(joined.body).toMatchObject({ networkId: id, label: expect.stringMatching(/^guest \d+$/) });
		const cookie = joined.res.headers.getSetCookie().find((c) => c.startsWith('panic_audience='))!;
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		expect(cookie).toMatch(/Path=\//);

		expect((await new ApiClient(server.url).request('GET', `/api/networks/${id}/feed`)).status).toBe(401);
		const feed = await openFeed(phone, `/api/networks/${id}/feed?cards=5`);
		expect(feed.res.status).toBe(200);
		expect(feed.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
		await until('the snapshot', () => feed.events[0]);
		expect(feed.events[0]).toMatchObject({ event: 'snapshot', data: { cards: [], queue: { length: 0 } } });

		const started = await owner.json('POST', `/api/networks/${id}/runs`, { input: 'hello hall' });
		expect(started.status).toBe(201);
		const card = await until('a card', () => feed.events.find((e) => e.event === 'card'));
		expect(card.data).toMatchObject({ runId: started.body.runId, kind: 'text' });
		expect(feed.events.some((e) => e.event === 'run' && e.data.runId === started.body.runId)).toBe(true);
		await feed.close();

		// The owner's audience view counts the phone.
		const audience = await owner.json('GET', `/api/networks/${id}/audience`);
		expect(audience.status).toBe(200);
		expect(audience.body.count).toBeGreaterThanOrEqual(1);
		expect(audience.body.sessions[0]).toMatchObject({ label: joined.body.label, prompts: 0 });
	});

	test('200 phones behind one address join and each send a prompt within a minute: all accepted', async () => {
		const began = Date.now();
		const phones = Array.from({ length: 200 }, () => new ApiClient(server.url));
		const results = await Promise.all(
			phones.map(async (phone, i) => {
				const joined = await phone.json('POST', `/api/join/${code}`);
				const prompt = await phone.json('POST', `/api/networks/${id}/prompts`, { text: `prompt number ${i}` });
				return { joined: joined.status, prompt: prompt.status, body: prompt.body };
			})
		);
		expect(Date.now() - began).toBeLessThan(60_000);
		expect(results.filter((r) => r.joined !== 200)).toEqual([]);
		expect(results.filter((r) => r.prompt !== 201)).toEqual([]);
		for (const r of results) expect(['queued', 'started']).toContain(r.body.status);
		const queue = await owner.json('GET', `/api/networks/${id}/prompts`);
		expect(queue.status).toBe(200);
		expect(queue.body.waiting.length + queue.body.recent.filter((p: { status: string }) => p.status === 'started').length).toBe(200);

		// A phone sees only its own prompts, with a position.
		const own = await phones[7].json('GET', `/api/networks/${id}/prompts`);
		expect(own.body.prompts).toEqual([expect.objectContaining({ text: 'prompt number 7' })]);
		// The queue holds 200 by default, and it is full now.
		const full = await phones[7].json('POST', `/api/networks/${id}/prompts`, { text: 'one too many' });
		expect(full).toMatchObject({ status: 429, body: { error: expect.stringMatching(/queue is full/) } });
		expect((await owner.json('PATCH', `/api/networks/${id}`, { audience: { maxQueue: 1000 } })).status).toBe(200);
		// Sending a few in a row is fine (burst 3, two already spent); a flood is not.
		const statuses: number[] = [];
		let limited: { error: string; details: { retryAfterSeconds: number } } | undefined;
		for (let i = 0; i < 5 && !limited; i++) {
			const sent = await phones[7].json('POST', `/api/networks/${id}/prompts`, { text: `again ${i}` });
			statuses.push(sent.status);
			if (sent.status === 429) limited = sent.body;
		}
		expect(statuses[0]).toBe(201);
		expect(limited).toMatchObject({ error: expect.stringMatching(/sending prompts quickly/), details: { retryAfterSeconds: expect.any(Number) } });
		// …while another phone is unaffected.
		expect((await phones[8].json('POST', `/api/networks/${id}/prompts`, { text: 'mine' })).status).toBe(201);
		expect((await phones[9].json('POST', `/api/networks/${id}/prompts`, { text: 'x'.repeat(501) })).status).toBe(400);
	}, 90_000);

	test('a removed person’s prompt is refused with 403', async () => {
		const phone = new ApiClient(server.url);
		const { body } = await phone.json('POST', `/api/join/${code}`);
		const listed = await owner.json('GET', `/api/networks/${id}/audience`);
		const session = listed.body.sessions.find((s: { label: string }) => s.label === body.label);
		expect((await owner.json('DELETE', `/api/networks/${id}/audience/${session.id}`)).status).toBe(200);
		const refused = await phone.json('POST', `/api/networks/${id}/prompts`, { text: 'let me in' });
		expect(refused).toMatchObject({ status: 403, body: { error: 'You were removed from this event.' } });
		expect((await phone.request('GET', `/api/networks/${id}/feed`)).status).toBe(403);
	});

	test('an expired code is refused with 410 and says to scan again', async () => {
		if (!server.databaseUrl) return; // needs to reach into the database; the domain tests cover PGlite
		const minted = await owner.json('POST', `/api/networks/${id}/join-codes`);
		const client = new pg.Client({ connectionString: server.databaseUrl });
		await client.connect();
		await client.query(`update join_codes set expires_at = now() - interval '1 second' where code = $1`, [minted.body.code]);
		await client.end();
		const refused = await new ApiClient(server.url).json('POST', `/api/join/${minted.body.code}`);
		expect(refused).toMatchObject({ status: 410, body: { error: 'This code has expired — scan the screen again.' } });
	});

	test('ending the event revokes codes and sessions and drops the queue', async () => {
		const phone = new ApiClient(server.url);
		await phone.json('POST', `/api/join/${code}`);
		const feed = await openFeed(phone, `/api/networks/${id}/feed`);
		await until('the snapshot', () => feed.events[0]);
		const ended = await owner.json('POST', `/api/networks/${id}/end-event`);
		expect(ended.status).toBe(200);
		expect(ended.body.prompts).toBeGreaterThan(0);
		await until('the stream closed', () => feed.events.find((e) => e.event === 'closed'));
		const refused = await new ApiClient(server.url).json('POST', `/api/join/${code}`);
		expect(refused.status).toBe(410);
		expect(refused.body.error).toMatch(/scan the screen again/);
		expect((await phone.json('POST', `/api/networks/${id}/prompts`, { text: 'too late' })).status).toBe(401);
		const queue = await owner.json('GET', `/api/networks/${id}/prompts`);
		expect(queue.body.waiting).toEqual([]);
		const runs = await owner.json('GET', `/api/networks/${id}/runs`);
		for (const run of runs.body.filter((r: { status: string }) => r.status === 'running')) await owner.json('POST', `/api/runs/${run.id}/stop`);
	});
});
