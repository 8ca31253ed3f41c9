import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GRAPH_LIMITS } from '../server/shared/graph/limits';
import { graphBytes } from '../server/graph/size';
import { CLOSE } from '../server/sync/protocol';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { appProvider, synced } from './helpers/sync-client';
import { until } from './helpers/wait';

// Listed in id order, as GET returns them.
const graph = {
	nodes: [
		{ id: 'caption', modelId: 'local/caption', x: 300, y: 0, label: 'eyes' },
		{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 }
	],
	edges: [
		{ id: 'e1', source: 'paint', target: 'caption' },
		{ id: 'e2', source: 'caption', target: 'paint' }
	],
	startNodeId: 'paint',
	notes: [{ id: 'n1', text: 'does it settle?', x: 0, y: 200 }]
};

describe.each(backends())('networks API on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let bob: ApiClient;
	let id: string;

	beforeAll(async () => {
		server = await startServer({ backend: name });
		owner = new ApiClient(server.url);
		bob = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		await bob.json('POST', '/api/auth/signup', { email: 'bob@example.org', password: 'bob password!' });
	});
	afterAll(() => server?.dispose());

	test('create, list, rename and read a network', async () => {
		const made = await owner.json('POST', '/api/networks', { name: 'Ouroboros' });
		expect(made.status).toBe(201);
		id = made.body.id;
		expect(id).toMatch(/^[a-z2-7]{24}$/);
		expect((await owner.json('GET', '/api/networks')).body.map((n: { name: string }) => n.name)).toEqual(['Ouroboros']);
		const renamed = await owner.json('PATCH', `/api/networks/${id}`, { name: 'Ouroboros II' });
		expect(renamed.body.name).toBe('Ouroboros II');
		const got = await owner.json('GET', `/api/networks/${id}`);
		expect(got.body).toMatchObject({ id, name: 'Ouroboros II', role: 'owner', visibility: 'private' });
		expect((await owner.json('GET', `/api/networks/${id}/graph`)).body).toMatchObject({ name: 'Ouroboros II', nodes: [], edges: [] });
	});

	test('a private network is a 404 to others; bad names are 400', async () => {
		expect((await bob.json('GET', `/api/networks/${id}`)).status).toBe(404);
		expect((await bob.json('GET', `/api/networks/${id}/graph`)).status).toBe(404);
		expect((await owner.json('POST', '/api/networks', { name: '   ' })).status).toBe(400);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { colour: 'red' })).status).toBe(400);
	});

	test('PUT graph applies and GET returns it with validation', async () => {
		const put = await owner.json('PUT', `/api/networks/${id}/graph`, graph);
		expect(put.status).toBe(200);
		expect(put.body).toMatchObject({ nodes: graph.nodes, edges: graph.edges, startNodeId: 'paint', notes: graph.notes, hasLoop: true, issues: [] });
		const got = await owner.json('GET', `/api/networks/${id}/graph`);
		expect(got.body.nodes).toEqual(graph.nodes);
	});

	test('PUT graph refuses broken structure and leaves the graph as it was', async () => {
		const dangling = await owner.json('PUT', `/api/networks/${id}/graph`, { ...graph, edges: [{ id: 'x', source: 'paint', target: 'ghost' }] });
		expect(dangling.status).toBe(400);
		expect(dangling.body.error).toMatch(/ghost/);
		const unknown = await owner.json('PUT', `/api/networks/${id}/graph`, { ...graph, nodes: [{ id: 'a', modelId: 'nope/model', x: 0, y: 0 }], edges: [] });
		expect(unknown.status).toBe(400);
		expect(unknown.body.error).toMatch(/unknown model/);
		const dupe = await owner.json('PUT', `/api/networks/${id}/graph`, { ...graph, nodes: [graph.nodes[1], graph.nodes[1]] });
		expect(dupe.status).toBe(400);
		const shape = await owner.json('PUT', `/api/networks/${id}/graph`, { nodes: 'many' });
		expect(shape.status).toBe(400);
		expect((await owner.json('GET', `/api/networks/${id}/graph`)).body.edges).toEqual(graph.edges);
	});

	test('a modality mismatch made through the API is stored and flagged', async () => {
		const mismatched = {
			...graph,
			edges: [...graph.edges, { id: 'bad', source: 'paint', target: 'paint' }] // image output into a text input
		};
		const put = await owner.json('PUT', `/api/networks/${id}/graph`, mismatched);
		expect(put.status).toBe(200);
		expect(put.body.invalidEdges).toEqual(['bad']);
		expect(put.body.issues[0]).toMatchObject({ kind: 'modality-mismatch', edgeId: 'bad', output: 'image', input: 'text' });
		await owner.json('PUT', `/api/networks/${id}/graph`, graph);
	});

	test('invites: a viewer reads but cannot write; an editor can; revoked links stop working', async () => {
		const viewerInvite = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' });
		expect(viewerInvite.status).toBe(201);
		const token = new URL(viewerInvite.body.url).pathname.split('/').pop();
		expect(new URL(viewerInvite.body.url).pathname).toBe(`/invite/${token}`);
		expect((await bob.json('GET', `/api/invites/${token}`)).body).toMatchObject({ networkId: id, role: 'viewer' });
		expect((await bob.json('POST', `/api/invites/${token}`)).body).toEqual({ networkId: id, role: 'viewer' });
		expect((await bob.json('GET', `/api/networks/${id}/graph`)).status).toBe(200);
		expect((await bob.json('PUT', `/api/networks/${id}/graph`, graph)).status).toBe(403);
		expect((await bob.json('POST', `/api/networks/${id}/invites`, { role: 'editor' })).status).toBe(403);

		const editorInvite = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor', expiresInHours: 1 });
		await owner.json('DELETE', `/api/networks/${id}/invites/${editorInvite.body.id}`);
		const editorToken = new URL(editorInvite.body.url).pathname.split('/').pop();
		const refused = await bob.json('POST', `/api/invites/${editorToken}`);
		expect(refused.status).toBe(410);
		expect(refused.body.error).toMatch(/revoked/);

		const fresh = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor' });
		await bob.json('POST', `/api/invites/${new URL(fresh.body.url).pathname.split('/').pop()}`);
		expect((await bob.json('PUT', `/api/networks/${id}/graph`, graph)).status).toBe(200);
		expect((await owner.json('GET', `/api/networks/${id}/members`)).body).toEqual([expect.objectContaining({ email: 'bob@example.org', role: 'editor' })]);
	});

	test('export then import gives an identical graph in a new network', async () => {
		const res = await owner.request('GET', `/api/networks/${id}/export`);
		expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.panic\.json"/);
		const file = await res.json();
		expect(file).toMatchObject({ format: 'panic-network', version: 1, name: 'Ouroboros II' });
		const imported = await owner.json('POST', '/api/networks/import', file);
		expect(imported.status).toBe(201);
		expect(imported.body.id).not.toBe(id);
		const copy = await owner.json('GET', `/api/networks/${imported.body.id}/graph`);
		expect(copy.body).toMatchObject({ name: 'Ouroboros II', nodes: graph.nodes, edges: graph.edges, startNodeId: 'paint', notes: graph.notes });
		const bad = await owner.json('POST', '/api/networks/import', { format: 'something-else' });
		expect(bad.status).toBe(400);
	});

	test('personal data: others see display names, never emails; the blocklist only the owner and editors', async () => {
		// Names: chosen at sign-up or on the account page; until then a default that says nothing of the email.
		const renamed = await owner.json('PATCH', '/api/me', { displayName: '  Olive ' });
		expect(renamed.body.user).toMatchObject({ email: 'owner@example.org', display_name: 'Olive', name: 'Olive' });
		const bad = await owner.json('PATCH', '/api/me', { displayName: 'x'.repeat(61) });
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatch(/at most 60 characters/);
		const bobName = (await bob.json('GET', '/api/me')).body.user.name;
		expect(bobName).toMatch(/^Person [A-Z2-7]{4}$/);

		const viewer = new ApiClient(server.url);
		expect((await viewer.json('POST', '/api/auth/signup', { email: 'vera@example.org', password: 'vera password', displayName: 'Vera' })).body.user.name).toBe('Vera');
		const invite = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' });
		await viewer.json('POST', `/api/invites/${new URL(invite.body.url).pathname.split('/').pop()}`);
		const stranger = new ApiClient(server.url);
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'stranger danger' });
		const anonymous = new ApiClient(server.url);
		await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public', audience: { blocklist: ['secret word'] } });

		for (const [who, client] of [['anonymous', anonymous], ['stranger', stranger], ['viewer', viewer]] as const) {
			const res = await client.request('GET', `/api/networks/${id}`);
			const text = await res.text();
			expect(res.status, who).toBe(200);
			expect(text, who).not.toMatch(/@example\.org/);
			expect(text, who).not.toContain('secret word');
			expect(JSON.parse(text), who).toMatchObject({ ownerName: 'Olive', audience: { queueMode: 'auto' } });
		}
		const listed = await stranger.request('GET', '/api/networks');
		const listText = await listed.text();
		expect(JSON.parse(listText)).toEqual([expect.objectContaining({ id, ownerName: 'Olive' })]);
		expect(listText).not.toMatch(/@example\.org/);
		expect((await bob.json('GET', `/api/networks/${id}`)).body.audience.blocklist).toEqual(['secret word']);

		// Members: the owner sees emails (to manage them), members see names, strangers nothing.
		expect((await anonymous.json('GET', `/api/networks/${id}/members`)).status).toBe(401);
		const refused = await stranger.json('GET', `/api/networks/${id}/members`);
		expect(refused.status).toBe(403);
		expect(refused.body.error).toMatch(/Only the members/);
		const names = [expect.objectContaining({ name: bobName, role: 'editor' }), expect.objectContaining({ name: 'Vera', role: 'viewer' })];
		for (const client of [viewer, bob]) {
			const res = await client.request('GET', `/api/networks/${id}/members`);
			const text = await res.text();
			expect(JSON.parse(text)).toEqual(names);
			expect(text).not.toMatch(/@example\.org/);
		}
		expect((await owner.json('GET', `/api/networks/${id}/members`)).body).toEqual([
			expect.objectContaining({ name: bobName, email: 'bob@example.org' }),
			expect.objectContaining({ name: 'Vera', email: 'vera@example.org' })
		]);

		// Facilitators see who sent a prompt by name too.
		await owner.json('PATCH', `/api/networks/${id}`, { audience: { queueMode: 'moderated' } });
		const sent = await bob.json('POST', `/api/networks/${id}/prompts`, { text: 'a quiet harbour' });
		expect(sent.status).toBe(201);
		const queue = await owner.request('GET', `/api/networks/${id}/prompts`);
		const queueText = await queue.text();
		expect(JSON.parse(queueText).waiting).toEqual([expect.objectContaining({ id: sent.body.id, from: bobName })]);
		expect(queueText).not.toMatch(/@example\.org/);
	});

	test('params with a reserved key are refused before anything is touched: the graph stays, an import leaves no network', async () => {
		const before = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		const networksBefore = (await owner.json('GET', '/api/networks')).body.length;
		for (const key of ['constructor', '__proto__', 'prototype']) {
			// Raw JSON: an object literal would turn "__proto__" into a prototype instead of a key.
			const hostile = JSON.stringify({ ...graph, nodes: [{ ...graph.nodes[0], params: '(params)' }, graph.nodes[1]] }).replace('"(params)"', `{"${key}": {"x": 1}}`);
			const put = await owner.json('PUT', `/api/networks/${id}/graph`, hostile);
			expect(put.status).toBe(400);
			expect(put.body.error).toBe(`nodes.0.params: Params use the reserved key "${key}"; rename it.`);
			const imported = await owner.json('POST', '/api/networks/import', `{"format":"panic-network","version":1,"name":"Hostile","graph":${hostile}}`);
			expect(imported.status).toBe(400);
			expect(imported.body.error).toMatch(/reserved key/);
		}
		// The room unloads after each request, so this reads what the database holds.
		expect((await owner.json('GET', `/api/networks/${id}/graph`)).body).toEqual(before);
		expect((await owner.json('GET', '/api/networks')).body).toHaveLength(networksBefore);
	});

	test('a file naming a model this PANIC does not know imports; the canvas flags the node and a run through it is refused', async () => {
		const retired = { ...graph, nodes: [graph.nodes[0], { ...graph.nodes[1], modelId: 'replicate/someone/retired-model' }] };
		const file = { format: 'panic-network', version: 1, name: 'From another PANIC', graph: retired };
		const imported = await owner.json('POST', '/api/networks/import', file);
		expect(imported.status).toBe(201);
		const copy = await owner.json('GET', `/api/networks/${imported.body.id}/graph`);
		expect(copy.body.nodes).toEqual(retired.nodes);
		expect(copy.body.issues).toContainEqual(expect.objectContaining({ kind: 'unknown-model', message: expect.stringMatching(/retired-model, which this PANIC does not know/) }));
		// What the canvas holds exports and imports again, unknown model and all.
		const again = await owner.json('POST', '/api/networks/import', await (await owner.request('GET', `/api/networks/${imported.body.id}/export`)).json());
		expect(again.status).toBe(201);
		const run = await owner.json('POST', `/api/networks/${again.body.id}/runs`, { input: 'a lighthouse' });
		expect(run.status).toBe(400);
		expect(run.body.error).toMatch(/retired-model/);
		for (const extra of [imported.body.id, again.body.id]) await owner.json('DELETE', `/api/networks/${extra}`);
	});

	test('a graph too big to import again is refused; one at the limits exports and imports', async () => {
		const made = await owner.json('POST', '/api/networks', { name: 'Full' });
		const label = 'l'.repeat(GRAPH_LIMITS.maxLabelLength);
		const nodes = Array.from({ length: GRAPH_LIMITS.maxNodes }, (_, i) => ({ id: `n${i}`, modelId: 'local/paint', x: i, y: -i, label }));
		const edges = Array.from({ length: GRAPH_LIMITS.maxEdges }, (_, i) => ({ id: `e${i}`, source: `n${i % 500}`, target: `n${(i * 7 + 1) % 500}` }));
		const note = (i: number) => ({ id: `t${i}`, text: 'x'.repeat(GRAPH_LIMITS.maxNoteLength), x: 0, y: i });
		const room = GRAPH_LIMITS.maxGraphBytes - graphBytes({ nodes, edges });
		const fits = Math.floor(room / graphBytes({ nodes: [], edges: [], notes: [note(10)] }));
		const full = { nodes, edges, startNodeId: 'n0', notes: Array.from({ length: fits }, (_, i) => note(i)) };
		const over = { ...full, notes: [...full.notes, note(fits)] };
		expect(JSON.stringify(over).length).toBeLessThan(1024 * 1024); // under the body cap: refused by the graph limit

		const refused = await owner.json('PUT', `/api/networks/${made.body.id}/graph`, over);
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatch(/a network holds at most 512 KB/);
		const networksBefore = (await owner.json('GET', '/api/networks')).body.length;
		const importedOver = await owner.json('POST', '/api/networks/import', { format: 'panic-network', version: 1, name: 'Over', graph: over });
		expect(importedOver.status).toBe(400);
		expect((await owner.json('GET', '/api/networks')).body).toHaveLength(networksBefore);

		expect((await owner.json('PUT', `/api/networks/${made.body.id}/graph`, full)).status).toBe(200);
		const file = await (await owner.request('GET', `/api/networks/${made.body.id}/export`)).json();
		const copy = await owner.json('POST', '/api/networks/import', file);
		expect(copy.status).toBe(201);
		const graphCopy = (await owner.json('GET', `/api/networks/${copy.body.id}/graph`)).body;
		expect({ nodes: graphCopy.nodes.length, edges: graphCopy.edges.length, notes: graphCopy.notes.length }).toEqual({
			nodes: full.nodes.length,
			edges: full.edges.length,
			notes: full.notes.length
		});
		for (const extra of [made.body.id, copy.body.id]) await owner.json('DELETE', `/api/networks/${extra}`);
	});

	test('only the owner deletes; open canvases are told it is gone; afterwards the network is gone for everyone', async () => {
		expect((await bob.json('DELETE', `/api/networks/${id}`)).status).toBe(403);
		const canvas = appProvider(server.url, id, bob);
		const closes: number[] = [];
		canvas.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));
		await synced(canvas.provider);
		expect((await owner.json('DELETE', `/api/networks/${id}`)).status).toBe(200);
		// Closed as gone (4410, final): the stock client stops reconnecting.
		await until('the canvas socket closed', () => closes.includes(CLOSE.gone));
		canvas.provider.destroy();
		expect((await owner.json('GET', `/api/networks/${id}`)).status).toBe(404);
		expect((await bob.json('GET', `/api/networks/${id}/graph`)).status).toBe(404);
	});
});
