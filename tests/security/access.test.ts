import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { openFeed } from '../helpers/sse';
import { until } from '../helpers/wait';
import { underAttack } from './health-watch';

/**
 * Issue 11, findings 3, 4, 6, 11 and 13, each run as a stranger would run it: over and over, against
 * the production server with a loop making cards, while a second process checks that
 * /api/health answers within 200 ms throughout. The single-shot versions (with every case
 * spelled out) live beside the features: revocation-api, http-edge-api, networks-api, csp.
 */
describe('access attacks, repeated, with health watched', () => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;
	const signUp = async (email: string) => {
		const client = new ApiClient(server.url);
		expect((await client.json('POST', '/api/auth/signup', { email, password: 'feedback loops' })).status).toBe(201);
		return client;
	};

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1', SIGNUPS_PER_ADDRESS: '100' } });
		owner = await signUp('owner@example.org');
		id = (await owner.json('POST', '/api/networks', { name: 'Always on' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 100 } } });
		await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public', audience: { blocklist: ['secret word'] } });
		expect((await owner.json('POST', `/api/networks/${id}/runs`, { input: 'round and round' })).status).toBe(201);
	}, 120_000);
	afterAll(() => server?.dispose());

	test('finding 4: 300 cross-site state changes with the owner’s cookie are 403s; nothing changes', async () => {
		const code = (await owner.json('GET', `/api/networks/${id}/join-codes/current`)).body.code;
		const attacks: Array<[string, string, Record<string, string>, unknown?]> = [
			['POST', `/api/networks/${id}/join-codes`, { origin: 'http://evil.example' }],
			['POST', `/api/networks/${id}/end-event`, { 'sec-fetch-site': 'same-site' }],
			['PATCH', `/api/networks/${id}`, { origin: server.url.replace(/\d+$/, '1') }, { name: 'pwned' }],
			['PUT', `/api/networks/${id}/graph`, { origin: 'null' }, { nodes: [], edges: [] }],
			['DELETE', `/api/networks/${id}`, { 'sec-fetch-site': 'cross-site', origin: server.url }],
			['POST', '/api/auth/logout', { origin: 'http://evil.example' }]
		];
		const { result: statuses } = await underAttack(
			server.url,
			async () => {
				const seen: number[] = [];
				for (let round = 0; round < 50; round++) {
					seen.push(...(await Promise.all(attacks.map(async ([method, path, headers, body]) => (await owner.request(method, path, body, headers)).status))));
				}
				return seen;
			},
			{ label: 'cross-site requests' }
		);
		expect(statuses).toHaveLength(300);
		expect(statuses.every((s) => s === 403)).toBe(true);
		expect((await owner.json('GET', `/api/networks/${id}/join-codes/current`)).body.code).toBe(code);
		expect((await owner.json('GET', `/api/networks/${id}`)).body).toMatchObject({ name: 'Always on' });
		expect((await owner.json('GET', `/api/networks/${id}/graph`)).body.nodes).toHaveLength(2);
		expect((await owner.json('GET', '/api/me')).status).toBe(200);
	}, 60_000);

	test('finding 6: 150 hostile graphs and imports are 400s before anything is touched; no orphan network', async () => {
		const editor = await signUp('editor@example.org');
		const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor' });
		expect((await editor.json('POST', `/api/invites/${body.url.split('/').pop()}`)).status).toBe(200);
		const before = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		const networksBefore = (await editor.json('GET', '/api/networks')).body.length;
		const good = JSON.stringify(loopGraph('dummy/echo', 'dummy/upper'));
		const hostile = ['constructor', '__proto__', 'prototype'].map((key) => good.replace('"nodes":[{', `"nodes":[{"params":{"${key}":{"x":1}},`));
		const { result: statuses } = await underAttack(
			server.url,
			async () => {
				const seen: number[] = [];
				for (let round = 0; round < 25; round++) {
					for (const graph of hostile) {
						const [put, imported] = await Promise.all([
							editor.request('PUT', `/api/networks/${id}/graph`, graph),
							editor.request('POST', '/api/networks/import', `{"format":"panic-network","version":1,"name":"Hostile","graph":${graph}}`)
						]);
						seen.push(put.status, imported.status);
						await Promise.all([put.arrayBuffer(), imported.arrayBuffer()]);
					}
				}
				return seen;
			},
			{ label: 'hostile graphs' }
		);
		expect(statuses).toHaveLength(150);
		expect(statuses.every((s) => s === 400)).toBe(true);
		const after = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		expect(after.nodes).toEqual(before.nodes);
		expect(after.edges).toEqual(before.edges);
		expect((await editor.json('GET', '/api/networks')).body).toHaveLength(networksBefore);
	}, 60_000);

	test('finding 11: a stranger and an anonymous crawler read 400 answers about a public network and find no email and no blocklist', async () => {
		const stranger = await signUp('stranger@example.org');
		const anonymous = new ApiClient(server.url);
		const paths = ['/api/networks', `/api/networks/${id}`, `/api/networks/${id}/members`, `/api/networks/${id}/graph`];
		const { result: answers } = await underAttack(
			server.url,
			async () => {
				const texts: Array<{ who: string; path: string; status: number; text: string }> = [];
				for (let round = 0; round < 50; round++) {
					for (const client of [stranger, anonymous]) {
						texts.push(...(await Promise.all(paths.map(async (path) => {
							const res = await client.request('GET', path);
							return { who: client === stranger ? 'stranger' : 'anonymous', path, status: res.status, text: await res.text() };
						}))));
					}
				}
				return texts;
			},
			{ label: 'personal-data crawl' }
		);
		expect(answers).toHaveLength(400);
		for (const { text } of answers) {
			expect(text).not.toMatch(/@example\.org/);
			expect(text).not.toContain('secret word');
		}
		// The network and its graph are public; members are not listed to outsiders; the list of networks needs an account.
		const statuses = new Set(answers.map((a) => `${a.who} ${a.path.replace(id, ':id')} ${a.status}`));
		expect([...statuses].sort()).toEqual([
			'anonymous /api/networks 401',
			'anonymous /api/networks/:id 200',
			'anonymous /api/networks/:id/graph 200',
			'anonymous /api/networks/:id/members 401',
			'stranger /api/networks 200',
			'stranger /api/networks/:id 200',
			'stranger /api/networks/:id/graph 200',
			'stranger /api/networks/:id/members 403'
		]);
	}, 60_000);

	test('finding 13: every page and API answer, fetched 200 times, carries its CSP, framing rule, Referrer-Policy and nosniff', async () => {
		const pages = ['/', '/login', '/signup', `/networks/${id}`, `/networks/${id}/display`, '/api/health', `/api/networks/${id}`];
		const { result: responses } = await underAttack(
			server.url,
			async () => {
				const seen: Array<{ path: string; headers: Headers }> = [];
				for (let round = 0; round < 29; round++) {
					seen.push(...(await Promise.all(pages.map(async (path) => {
						const res = await owner.request('GET', path);
						await res.arrayBuffer();
						return { path, headers: res.headers };
					}))));
				}
				return seen;
			},
			{ label: 'header sweep' }
		);
		expect(responses.length).toBeGreaterThanOrEqual(200);
		for (const { path, headers } of responses) {
			expect(headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(headers.get('referrer-policy'), path).toBe('same-origin');
			const csp = headers.get('content-security-policy') ?? '';
			expect(csp, path).toMatch(/frame-ancestors/);
			if (!path.startsWith('/api/')) expect(csp, path).toMatch(/script-src 'self'/);
			if (path === '/login') expect(csp, path).toMatch(/frame-ancestors 'none'/);
		}
	}, 60_000);

	test('finding 3: a removed member’s 20 streams and a logged-out session’s 20 streams end at once; the owner’s keep streaming', async () => {
		const member = await signUp('member@example.org');
		const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' });
		expect((await member.json('POST', `/api/invites/${body.url.split('/').pop()}`)).status).toBe(200);
		const memberId = (await member.json('GET', '/api/me')).body.user.id as string;
		const leaver = await signUp('leaver@example.org');
		const own = (await leaver.json('POST', '/api/networks', { name: 'Mine' })).body.id as string;

		const cards = (feed: Awaited<ReturnType<typeof openFeed>>) => feed.events.filter((e) => e.event === 'card').length;
		const closed = (feed: Awaited<ReturnType<typeof openFeed>>) => feed.events.find((e) => e.event === 'closed')?.data.reason;
		const control = await openFeed(owner, `/api/networks/${id}/feed`);
		await underAttack(
			server.url,
			async () => {
				const memberFeeds = await Promise.all(Array.from({ length: 20 }, () => openFeed(member, `/api/networks/${id}/feed`)));
				const leaverFeeds = await Promise.all(Array.from({ length: 20 }, (_, i) => openFeed(leaver, `/api/networks/${i % 2 ? id : own}/feed`)));
				for (const feed of [...memberFeeds, ...leaverFeeds]) expect(feed.res.status).toBe(200);
				await until('cards on the member’s streams', () => memberFeeds.every((f) => cards(f) > 0));

				expect((await owner.json('DELETE', `/api/networks/${id}/members/${memberId}`)).status).toBe(200);
				expect((await leaver.json('POST', '/api/auth/logout')).status).toBe(200);
				await Promise.all([...memberFeeds, ...leaverFeeds].map((f) => f.done));
				for (const feed of memberFeeds) expect(closed(feed)).toBe('You were removed from this network.');
				for (const feed of leaverFeeds) expect(closed(feed)).toMatch(/logged out/i);
				const before = cards(control);
				await until('the owner still gets cards', () => cards(control) > before + 1);
			},
			{ label: 'revocations with 40 open streams' }
		);
		expect(closed(control)).toBeUndefined();
		await control.close();
	}, 60_000);
});
