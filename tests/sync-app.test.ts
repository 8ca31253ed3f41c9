import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { readGraph } from '../server/graph/doc';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { appProvider, synced } from './helpers/sync-client';

const provider = (server: TestServer, room: string, client: ApiClient | null) => appProvider(server.url, room, client);

async function until(check: () => boolean, ms = 5000) {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 20));
	}
}

/** The HTTP status a raw WebSocket upgrade gets (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve) => {
		const ws = new WebSocket(url, { headers });
		ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
		ws.on('open', () => {
			ws.close();
			resolve(101);
		});
		ws.on('error', () => {});
	});
}

const graph = {
	nodes: [
		{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
		{ id: 'caption', modelId: 'local/caption', x: 300, y: 0 }
	],
	edges: [{ id: 'e1', source: 'paint', target: 'caption' }],
	startNodeId: 'paint'
};

describe.each(backends())('sync over the app on $name', ({ name }) => {
	let server: TestServer;
	let first: TestServer;
	let dataDir: string;
	let owner: ApiClient;
	let editor: ApiClient;
	let viewer: ApiClient;
	let stranger: ApiClient;
	let id: string;

	beforeAll(async () => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-sync-app-'));
		server = first = await startServer({ backend: name, dataDir });
		[owner, editor, viewer, stranger] = [0, 1, 2, 3].map(() => new ApiClient(server.url));
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		await editor.json('POST', '/api/auth/signup', { email: 'editor@example.org', password: 'editor password' });
		await viewer.json('POST', '/api/auth/signup', { email: 'viewer@example.org', password: 'viewer password' });
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'stranger password' });
		id = (await owner.json('POST', '/api/networks', { name: 'Live' })).body.id;
		await owner.json('PUT', `/api/networks/${id}/graph`, graph);
		for (const [client, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
			const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role });
			await client.json('POST', `/api/invites/${body.url.split('/').pop()}`);
		}
	});
	afterAll(async () => {
		if (server !== first) await server?.dispose();
		await first?.dispose(); // drops the Postgres database it made
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	test('no cookie → 401, foreign Origin → 403, stranger → 404, members → 101', async () => {
		const url = `${server.url.replace('http', 'ws')}/sync/${id}`;
		const cookieOf = (c: ApiClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		expect(await upgradeStatus(url, { origin: server.url })).toBe(401);
		expect(await upgradeStatus(url, { origin: 'http://evil.example', cookie: cookieOf(owner) })).toBe(403);
		expect(await upgradeStatus(url, { cookie: cookieOf(owner) })).toBe(403);
		expect(await upgradeStatus(url, { origin: server.url, cookie: cookieOf(stranger) })).toBe(404);
		expect(await upgradeStatus(url, { origin: server.url, cookie: cookieOf(viewer) })).toBe(101);
		expect(await upgradeStatus(`${url}/feed`, { origin: server.url, cookie: cookieOf(viewer) })).toBe(101);

		// The stock client without a cookie never gets the graph.
		const anon = provider(server, id, null);
		await new Promise((r) => setTimeout(r, 500));
		expect(anon.provider.synced).toBe(false);
		expect(anon.doc.getMap('nodes').size).toBe(0);
		anon.provider.destroy();
	});

	test('editors converge, the JSON API shows up live, a viewer sees it but cannot write', async () => {
		const a = provider(server, id, owner);
		const b = provider(server, id, editor);
		const v = provider(server, id, viewer);
		await Promise.all([synced(a.provider), synced(b.provider), synced(v.provider)]);
		expect(readGraph(v.doc).nodes.map((n) => n.id)).toEqual(['caption', 'paint']);

		(a.doc.getMap('nodes').get('paint') as Y.Map<unknown>).set('x', 111);
		await until(() => (b.doc.getMap('nodes').get('paint') as Y.Map<unknown>)?.get('x') === 111);
		await until(() => (v.doc.getMap('nodes').get('paint') as Y.Map<unknown>)?.get('x') === 111);

		await owner.json('PUT', `/api/networks/${id}/graph`, { ...graph, nodes: [...graph.nodes, { id: 'sing', modelId: 'local/sing', x: 0, y: 300 }] });
		await until(() => a.doc.getMap('nodes').has('sing') && v.doc.getMap('nodes').has('sing'));

		// The viewer's own edit stays local: not in other clients, not in the stored graph.
		v.doc.getMap('nodes').set('intruder', new Y.Map(Object.entries({ modelId: 'local/paint', x: 0, y: 0 })));
		(a.doc.getMap('nodes').get('paint') as Y.Map<unknown>).set('x', 222); // a marker edit after it
		await until(() => (b.doc.getMap('nodes').get('paint') as Y.Map<unknown>)?.get('x') === 222);
		expect(a.doc.getMap('nodes').has('intruder')).toBe(false);
		expect(b.doc.getMap('nodes').has('intruder')).toBe(false);
		const stored = await owner.json('GET', `/api/networks/${id}/graph`);
		expect(stored.body.nodes.map((n: { id: string }) => n.id)).not.toContain('intruder');

		for (const c of [a, b, v]) c.provider.destroy();
	});

	test('5,000 garbage frames from an editor: that socket is closed, the room keeps syncing', async () => {
		const a = provider(server, id, owner);
		const b = provider(server, id, editor);
		await Promise.all([synced(a.provider), synced(b.provider)]);

		const cookie = [...editor.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const raw = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${id}`, { headers: { origin: server.url, cookie } });
		await new Promise((r) => raw.once('open', r));
		const closed = new Promise<number>((r) => raw.once('close', (code) => r(code)));
		for (let i = 0; i < 5000 && raw.readyState === WebSocket.OPEN; i++) {
			raw.send(Buffer.from([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, (i * 7) & 0xff, 0x13, 0x37]));
		}
		expect(await closed).toBeGreaterThanOrEqual(1002);

		(a.doc.getMap('nodes').get('paint') as Y.Map<unknown>).set('x', 333);
		await until(() => (b.doc.getMap('nodes').get('paint') as Y.Map<unknown>)?.get('x') === 333);
		expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
		for (const c of [a, b]) c.provider.destroy();
		const stored = await owner.json('GET', `/api/networks/${id}/graph`);
		expect(stored.body.nodes.find((n: { id: string }) => n.id === 'paint').x).toBe(333);
	});

	test('a clean restart keeps the graph, including an edit made just before shutdown', async () => {
		const a = provider(server, id, owner);
		await synced(a.provider);
		(a.doc.getMap('nodes').get('caption') as Y.Map<unknown>).set('label', 'last words');
		await new Promise((r) => setTimeout(r, 50)); // the frame leaves the client
		await server.stop('SIGTERM');
		a.provider.destroy();

		server = await startServer({ backend: name, dataDir, databaseUrl: server.databaseUrl });
		const after = await new ApiClient(server.url).json('GET', `/api/networks/${id}/graph`);
		expect(after.status).toBe(404); // private, and this client has no cookie
		// The same cookie still works: sessions live in the database.
		const viaOwner = Object.assign(new ApiClient(server.url), { cookies: owner.cookies });
		const graphAfter = await viaOwner.json('GET', `/api/networks/${id}/graph`);
		expect(graphAfter.body.nodes.find((n: { id: string }) => n.id === 'caption').label).toBe('last words');
		expect(graphAfter.body.nodes.find((n: { id: string }) => n.id === 'paint').x).toBe(333);
	});

	test('removing a member closes their open socket, and they cannot rejoin', async () => {
		const editorAgain = Object.assign(new ApiClient(server.url), { cookies: editor.cookies });
		const ownerAgain = Object.assign(new ApiClient(server.url), { cookies: owner.cookies });
		const a = provider(server, id, ownerAgain);
		const b = provider(server, id, editorAgain);
		await Promise.all([synced(a.provider), synced(b.provider)]);
		const closes: number[] = [];
		b.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));

		const me = await editorAgain.json('GET', '/api/me');
		expect((await ownerAgain.json('DELETE', `/api/networks/${id}/members/${me.body.user.id}`)).status).toBe(200);
		await until(() => closes.includes(4000));

		// Whatever the removed editor does now stays on their machine.
		(b.doc.getMap('nodes').get('paint') as Y.Map<unknown>).set('x', -1);
		(a.doc.getMap('nodes').get('paint') as Y.Map<unknown>).set('y', 77); // a marker after it
		await new Promise((r) => setTimeout(r, 500));
		const stored = await ownerAgain.json('GET', `/api/networks/${id}/graph`);
		expect(stored.body.nodes.find((n: { id: string }) => n.id === 'paint')).toMatchObject({ x: 333, y: 77 });
		expect(b.provider.synced).toBe(false);
		expect((await editorAgain.json('GET', `/api/networks/${id}/graph`)).status).toBe(404);
		for (const c of [a, b]) c.provider.destroy();
	});
});
