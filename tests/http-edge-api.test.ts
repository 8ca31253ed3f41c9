import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';

/**
 * Issue 11 at the HTTP edge, as curl sees it: cross-site state changes refused (finding 4),
 * log-in throttling that cannot lock the owner out, not even from the attacker's own address,
 * and sign-up limited per address (finding 12). Client addresses are simulated with
 * X-Forwarded-For (ADDRESS_HEADER).
 */
describe.each(backends())('the HTTP edge on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let networkId: string;

	/** A client at `address` (X-Forwarded-For), sending Origin like a browser on PANIC's page would. */
	const from = (address: string) => {
		const client = new ApiClient(server.url);
		const request = client.request.bind(client);
		client.request = (method, path, body, headers = {}) => request(method, path, body, { 'x-forwarded-for': address, ...headers });
		return client;
	};

	beforeAll(async () => {
		server = await startServer({
			backend: name,
			env: { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1', SIGNUPS_PER_ADDRESS: '4', LOGIN_MAX_DELAY_MS: '1000' }
		});
		owner = from('10.0.0.1');
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		networkId = (await owner.json('POST', '/api/networks', { name: 'Target' })).body.id;
	});
	afterAll(() => server?.dispose());

	describe('cross-site requests (finding 4)', () => {
		const currentCode = async () => (await owner.json('GET', `/api/networks/${networkId}/join-codes/current`)).body.code;

		test('a foreign Origin or Sec-Fetch-Site is a 403 JSON error on every state-changing method, and changes nothing', async () => {
			const code = await currentCode();
			const attacks: Array<[string, string, Record<string, string>]> = [
				['POST', `/api/networks/${networkId}/join-codes`, { origin: 'http://evil.example' }],
				['POST', `/api/networks/${networkId}/end-event`, { origin: 'http://evil.example' }],
				['POST', `/api/networks/${networkId}/join-codes`, { origin: server.url.replace(/\d+$/, '1') }],
				['POST', `/api/networks/${networkId}/join-codes`, { 'sec-fetch-site': 'same-site' }],
				['POST', `/api/networks/${networkId}/join-codes`, { 'sec-fetch-site': 'cross-site', origin: server.url }],
				['POST', `/api/networks/${networkId}/join-codes`, { origin: 'null' }],
				['PATCH', `/api/networks/${networkId}`, { origin: 'http://evil.example' }],
				['PUT', `/api/networks/${networkId}/graph`, { origin: 'http://evil.example' }],
				['DELETE', `/api/networks/${networkId}`, { origin: 'http://evil.example' }],
				['POST', '/api/auth/logout', { origin: 'http://evil.example' }]
			];
			for (const [method, path, headers] of attacks) {
				const body = method === 'PATCH' ? { name: 'pwned' } : method === 'PUT' ? { nodes: [], edges: [] } : undefined;
				const res = await owner.request(method, path, body, headers);
				expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
				expect(res.headers.get('content-type')).toMatch(/application\/json/);
				expect((await res.json()).error).toMatch(/came from another site.*own pages/);
			}
			expect(await currentCode()).toBe(code);
			const network = await owner.json('GET', `/api/networks/${networkId}`);
			expect(network.body).toMatchObject({ name: 'Target' });
			expect((await owner.json('GET', '/api/me')).status).toBe(200); // not logged out
		});

		test("PANIC's own pages pass; so do scripts and the CLI, which send no Origin; reads are never checked", async () => {
			const code = await currentCode();
			expect((await owner.request('POST', `/api/networks/${networkId}/join-codes`, undefined, { origin: server.url, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
			const res = await fetch(`${server.url}/api/networks/${networkId}/join-codes`, {
				method: 'POST',
				headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
			});
			expect(res.status).toBe(201);
			expect(await currentCode()).not.toBe(code);
			expect((await owner.request('GET', `/api/networks/${networkId}`, undefined, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
		});
	});

	describe('log-in throttling (finding 12)', () => {
		test('wrong passwords from one address lock out that address only: the owner logs in from another at once', async () => {
			const attacker = from('203.0.113.66');
			for (let i = 0; i < 5; i++) {
				expect((await attacker.json('POST', '/api/auth/login', { email: 'owner@example.org', password: `guess ${i}` })).status).toBe(400);
			}
			const refused = await attacker.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'owner password' });
			expect(refused.status).toBe(429);
			expect(refused.body.error).toMatch(/Too many wrong passwords for this account from here\. Try again in \d+ seconds\./);
			expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);

			const started = Date.now();
			const ownerElsewhere = from('198.51.100.7');
			const ok = await ownerElsewhere.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'owner password' });
			expect(ok.status).toBe(200);
			expect(ok.body.user.email).toBe('owner@example.org');
			expect(Date.now() - started).toBeLessThan(1500); // at most a short slow-down, never a lock
		});

		test('behind the same address as the attacker (one venue, one NAT), the owner’s browser gets in by its device cookie', async () => {
			const attacker = from('10.0.0.1'); // the owner's own address: the room shares it
			for (let i = 0; i < 5; i++) await attacker.json('POST', '/api/auth/login', { email: 'owner@example.org', password: `guess ${i}` });
			expect((await attacker.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'owner password' })).status).toBe(429);
			const ok = await owner.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'owner password' });
			expect(ok.status).toBe(200);
			const device = ok.res.headers.getSetCookie().find((c) => c.startsWith('panic_device='))!;
			expect(device).toMatch(/; HttpOnly/i);
			expect(device).toMatch(/; SameSite=Lax/i);
			expect(device).toMatch(/; Max-Age=31536000/i);
		});

		test('the form on /login is throttled the same way', async () => {
			const attacker = from('203.0.113.67');
			const form = (password: string) =>
				attacker.request('POST', '/login', new URLSearchParams({ email: 'owner@example.org', password }).toString(), {
					'content-type': 'application/x-www-form-urlencoded',
					accept: 'application/json'
				});
			for (let i = 0; i < 5; i++) await form(`guess ${i}`);
			const refused = await (await form('owner password')).json();
			expect(refused).toMatchObject({ type: 'failure', status: 429 });
			expect(refused.data).toContain('Too many wrong passwords');
		});
	});

	describe('sign-up per address (finding 12)', () => {
		test('an address may create SIGNUPS_PER_ADDRESS accounts per window; then 429, others unaffected', async () => {
			const room = from('192.0.2.10');
			for (let i = 0; i < 4; i++) {
				expect((await room.json('POST', '/api/auth/signup', { email: `p${i}@example.org`, password: 'workshop pass' })).status).toBe(201);
			}
			const refused = await room.json('POST', '/api/auth/signup', { email: 'p4@example.org', password: 'workshop pass' });
			expect(refused.status).toBe(429);
			expect(refused.body.error).toMatch(/from your network address.*Try again in \d+ seconds/);
			expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
			const later = from('192.0.2.11');
			expect((await later.json('POST', '/api/auth/signup', { email: 'p4@example.org', password: 'workshop pass' })).status).toBe(201);
		});
	});
});
