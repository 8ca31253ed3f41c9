import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';

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

	test('only the owner deletes; afterwards the network is gone for everyone', async () => {
		expect((await bob.json('DELETE', `/api/networks/${id}`)).status).toBe(403);
		expect((await owner.json('DELETE', `/api/networks/${id}`)).status).toBe(200);
		expect((await owner.json('GET', `/api/networks/${id}`)).status).toBe(404);
		expect((await bob.json('GET', `/api/networks/${id}/graph`)).status).toBe(404);
	});
});
