import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_NETWORKS } from '../server/networks/examples';
import { ApiClient, startServer, type TestServer } from './helpers/server';

/** The networks page's "Open a copy": a plain form post, as a browser without scripts sends it (the redirect not followed). */
const copy = (client: ApiClient, key: string) =>
	fetch(`${client.base}/networks?/example`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			// As a page asks: the answer is a real 303, not SvelteKit's JSON for enhanced forms.
			accept: 'text/html',
			origin: client.base,
			cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
		},
		body: new URLSearchParams({ key }).toString()
	});

describe('copying an example network', () => {
	let server: TestServer;
	let ada: ApiClient;
	let bob: ApiClient;

	beforeAll(async () => {
		server = await startServer();
		ada = new ApiClient(server.url);
		bob = new ApiClient(server.url);
		await ada.json('POST', '/api/auth/signup', { email: 'ada@example.org', password: 'feedback loops' });
		await bob.json('POST', '/api/auth/signup', { email: 'bob@example.org', password: 'feedback loops' });
	});
	afterAll(() => server?.dispose());

	test.each(EXAMPLE_NETWORKS.map((e) => [e.key, e] as const))('%s becomes a new network of the caller’s, graph and all, and opens its canvas', async (key, example) => {
		const res = await copy(ada, key);
		expect(res.status).toBe(303);
		const id = res.headers.get('location')!.match(/^\/networks\/([^/]+)$/)![1];
		const got = await ada.json('GET', `/api/networks/${id}/graph`);
		expect(got.status).toBe(200);
		const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
		expect(byId(got.body.nodes)).toEqual(byId(example.graph.nodes));
		expect(byId(got.body.edges)).toEqual(byId(example.graph.edges));
		expect(got.body).toMatchObject({ name: example.name, startNodeId: example.graph.startNodeId, issues: [], hasLoop: true });
		const mine = await ada.json('GET', '/api/networks');
		expect(mine.body.find((n: { id: string }) => n.id === id)).toMatchObject({ role: 'owner', name: example.name });
		// A copy of one's own: nobody else sees it.
		expect((await bob.json('GET', `/api/networks/${id}`)).status).toBeGreaterThanOrEqual(403);
	});

	test('two copies of one example are two networks', async () => {
		const [a, b] = [await copy(bob, 'paint-caption'), await copy(bob, 'paint-caption')];
		expect(a.headers.get('location')).not.toBe(b.headers.get('location'));
	});

	test('an unknown example is refused with a sentence; a stranger is sent to log in', async () => {
		const res = await copy(ada, 'no-such-example');
		expect(res.status).toBe(400);
		expect(await res.text()).toMatch(/There is no such example/);
		const stranger = new ApiClient(server.url);
		const away = await copy(stranger, 'paint-caption');
		expect(away.status).toBe(303);
		expect(away.headers.get('location')).toMatch(/^\/login/);
	});
});
