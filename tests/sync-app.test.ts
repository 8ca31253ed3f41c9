import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { readGraph } from '../server/shared/graph/doc';
import { awarenessFrame } from '../server/sync/testing';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import type { WebsocketProvider } from 'y-websocket';
import { appProvider, synced } from './helpers/sync-client';
import { until as waitUntil } from './helpers/wait';

const provider = (server: TestServer, room: string, client: ApiClient | null) => appProvider(server.url, room, client);

// As long as helpers/wait's: these waits cross a server (a socket closed, a reconnect and sync).
async function until(check: () => boolean, ms = 15_000) {
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

	test('an invite accepted with a socket open: it reconnects with the new role, and a viewer made editor writes', async () => {
		const a = provider(server, id, owner);
		const v = provider(server, id, viewer);
		await Promise.all([synced(a.provider), synced(v.provider)]);
		const closes: number[] = [];
		v.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));

		const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor' });
		expect((await viewer.json('POST', `/api/invites/${body.url.split('/').pop()}`)).body).toEqual({ networkId: id, role: 'editor' });
		await until(() => closes.includes(4000));
		await until(() => v.provider.wsconnected && v.provider.synced);
		(v.doc.getMap('nodes').get('caption') as Y.Map<unknown>).set('label', 'promoted');
		await until(() => (a.doc.getMap('nodes').get('caption') as Y.Map<unknown>)?.get('label') === 'promoted');
		for (const c of [a, v]) c.provider.destroy();
	});

	test('a clean restart keeps the graph, including an edit made just before shutdown', async () => {
		const a = provider(server, id, owner);
		await synced(a.provider);
		(a.doc.getMap('nodes').get('caption') as Y.Map<unknown>).set('label', 'last words');
		// In the server's doc (the API reads the live room), whether or not it is stored yet. A
		// fixed 50 ms for the frame to get there was not always enough on a loaded machine.
		await waitUntil('the edit to reach the server', async () =>
			(await owner.json('GET', `/api/networks/${id}/graph`)).body.nodes.find((n: { id: string }) => n.id === 'caption').label === 'last words'
		);
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
		await new Promise((r) => setTimeout(r, 500)); // time for the removed editor's edit to get in, were it let
		// The marker is waited for, not assumed there after the sleep: on a loaded machine it can take longer.
		const stored = await waitUntil('the owner’s marker to be stored', async () => {
			const graph = await ownerAgain.json('GET', `/api/networks/${id}/graph`);
			return graph.body.nodes.find((n: { id: string }) => n.id === 'paint').y === 77 && graph;
		});
		expect(stored.body.nodes.find((n: { id: string }) => n.id === 'paint')).toMatchObject({ x: 333, y: 77 });
		expect(b.provider.synced).toBe(false);
		expect((await editorAgain.json('GET', `/api/networks/${id}/graph`)).status).toBe(404);
		for (const c of [a, b]) c.provider.destroy();
	});
});

const cookieOf = (c: ApiClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

describe.each(backends())('what editors may write over sync, on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let editor: ApiClient;
	let viewer: ApiClient;
	let id: string;
	const open: Array<{ provider: WebsocketProvider }> = [];
	const connect = (client: ApiClient) => {
		const p = provider(server, id, client);
		open.push(p);
		return p;
	};
	const closesOf = (p: WebsocketProvider) => {
		const closes: Array<{ code: number; reason: string }> = [];
		p.on('connection-close', (event: { code: number; reason: string } | null) => event && closes.push({ code: event.code, reason: event.reason }));
		return closes;
	};
	const nodeOf = (doc: Y.Doc, nodeId: string) => doc.getMap('nodes').get(nodeId) as Y.Map<unknown> | undefined;

	beforeAll(async () => {
		server = await startServer({ backend: name, env: { PANIC_SYNC_REFUSED_COOLDOWN_MS: '500' } });
		[owner, editor, viewer] = [0, 1, 2].map(() => new ApiClient(server.url));
		for (const [client, who] of [[owner, 'owner'], [editor, 'editor'], [viewer, 'viewer']] as const) {
			await client.json('POST', '/api/auth/signup', { email: `${who}@example.org`, password: `${who} password` });
		}
		id = (await owner.json('POST', '/api/networks', { name: 'Guarded' })).body.id;
		await owner.json('PUT', `/api/networks/${id}/graph`, graph);
		for (const [client, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
			const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role });
			await client.json('POST', `/api/invites/${body.url.split('/').pop()}`);
		}
	});
	afterEach(() => {
		for (const p of open.splice(0)) p.provider.destroy();
	});
	afterAll(() => server?.dispose());

	test('an update past the graph limits is refused with 4422 and the reason; nothing stored; others carry on; it exports and imports', async () => {
		const a = connect(owner);
		const b = connect(editor);
		const watcher = connect(viewer);
		await Promise.all([a, b, watcher].map((c) => synced(c.provider)));
		const closes = closesOf(b.provider);

		// 5,000 nodes over the stock client (the API allows 500).
		b.doc.transact(() => {
			for (let i = 0; i < 5000; i++) b.doc.getMap('nodes').set(`f${i}`, new Y.Map(Object.entries({ modelId: 'local/paint', x: i, y: 0 })));
		});
		await until(() => closes.length > 0);
		expect(closes[0]).toEqual({ code: 4422, reason: 'A network holds at most 500 nodes; delete some first.' });
		expect(b.provider.shouldConnect).toBe(false); // final: the refused edit is not re-sent on every reconnect
		// And that session waits a moment before it may open the canvas again.
		const url = `${server.url.replace('http', 'ws')}/sync/${id}`;
		expect(await upgradeStatus(url, { origin: server.url, cookie: cookieOf(editor) })).toBe(429);

		// A string for a node, and a 300-character label: each editor that sends one is closed.
		const attacks: Array<[(doc: Y.Doc) => void, RegExp]> = [
			[(doc) => doc.getMap('nodes').set('x', 'x'), /Node x must be a map of fields/],
			[(doc) => nodeOf(doc, 'paint')!.set('label', 'a'.repeat(300)), /Node paint: label: .*200/]
		];
		for (const [attack, reason] of attacks) {
			const m = connect(editor);
			await until(() => m.provider.synced, 10_000); // once the cooldown has passed
			const mCloses = closesOf(m.provider);
			attack(m.doc);
			await until(() => mCloses.length > 0);
			expect(mCloses[0].code).toBe(4422);
			expect(mCloses[0].reason).toMatch(reason);
		}

		// Everyone else carries on, and never saw any of it.
		nodeOf(a.doc, 'paint')!.set('x', 444);
		await until(() => nodeOf(watcher.doc, 'paint')?.get('x') === 444);
		expect([...watcher.doc.getMap('nodes').keys()].sort()).toEqual(['caption', 'paint']);
		expect(nodeOf(watcher.doc, 'paint')!.get('label')).toBeUndefined();
		// Two people editing at once can leave an edge whose node is gone; the export leaves it out.
		a.doc.getMap('edges').set('dangling', new Y.Map(Object.entries({ source: 'paint', target: 'gone' })));
		await until(() => watcher.doc.getMap('edges').has('dangling'));
		for (const p of open.splice(0)) p.provider.destroy();

		// Nothing was stored: the room reloads from the database.
		const stored = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		expect(stored.nodes.map((n: { id: string }) => n.id)).toEqual(['caption', 'paint']);
		expect(stored.nodes.find((n: { id: string }) => n.id === 'paint')).toEqual({ id: 'paint', modelId: 'local/paint', x: 444, y: 0 });
		const file = await (await owner.request('GET', `/api/networks/${id}/export`)).json();
		expect(file.graph.edges.map((e: { id: string }) => e.id)).toEqual(['e1']);
		const copy = await owner.json('POST', '/api/networks/import', file);
		expect(copy.status).toBe(201);
		expect((await owner.json('GET', `/api/networks/${copy.body.id}/graph`)).body.nodes).toEqual(stored.nodes);
	});

	test('a PUT refused for its params changes nothing in the live doc of open canvases', async () => {
		const a = connect(owner);
		await synced(a.provider);
		let updates = 0;
		a.doc.on('update', () => updates++);
		const hostile = JSON.stringify({ ...graph, nodes: [{ ...graph.nodes[0], params: '(params)' }] }).replace('"(params)"', '{"constructor": "x"}');
		const put = await owner.json('PUT', `/api/networks/${id}/graph`, hostile);
		expect(put.status).toBe(400);
		nodeOf(a.doc, 'caption')!.set('x', 301); // a marker after it
		await waitUntil('the marker stored', async () => (await owner.json('GET', `/api/networks/${id}/graph`)).body.nodes.some((n: { x: number }) => n.x === 301));
		expect(updates).toBe(1); // only the marker
		expect([...a.doc.getMap('nodes').keys()].sort()).toEqual(['caption', 'paint']);
	});

	test('presence: nobody overwrites or removes someone else’s; a 900 KB state closes its socket and reaches nobody', async () => {
		const a = connect(owner);
		const c = connect(editor);
		await Promise.all([a, c].map((p) => synced(p.provider)));
		const mine = { user: { name: 'owner', color: 'hsl(10 85% 65%)' }, cursor: { x: 5, y: 6 } };
		a.provider.awareness.setLocalState(mine);
		const aId = a.doc.clientID;
		await until(() => c.provider.awareness.getStates().get(aId)?.user?.name === 'owner');
		let largest = 0;
		c.provider.awareness.on('change', () => {
			for (const state of c.provider.awareness.getStates().values()) largest = Math.max(largest, JSON.stringify(state).length);
		});

		const raw = new WebSocket(`${server.url.replace('http', 'ws')}/sync/${id}`, { headers: { origin: server.url, cookie: cookieOf(editor) } });
		await new Promise((r) => raw.once('open', r));
		const closed = new Promise<{ code: number; reason: string }>((r) => raw.once('close', (code, reason) => r({ code, reason: reason.toString() })));
		const clock = c.provider.awareness.meta.get(aId)!.clock;
		raw.send(awarenessFrame([{ clientId: aId, clock: clock + 10, state: '{"user":{"name":"mallory","color":"#000"},"cursor":null}' }]));
		raw.send(awarenessFrame([{ clientId: aId, clock: clock + 11, state: 'null' }]));
		raw.send(awarenessFrame([{ clientId: 424243, clock: 1, state: '{"user":{"name":"marker","color":"#0f0"},"cursor":null}' }]));
		await until(() => c.provider.awareness.getStates().get(424243)?.user?.name === 'marker');
		expect(c.provider.awareness.getStates().get(aId)).toEqual(mine);
		expect(raw.readyState).toBe(WebSocket.OPEN); // dropped quietly: stock clients echo others' states too

		// A 900 KB state closes the socket that sent it, and reaches nobody.
		raw.send(awarenessFrame([{ clientId: 424242, clock: 1, state: JSON.stringify({ user: { name: 'big', color: '#000' }, blob: 'x'.repeat(900 * 1024) }) }]));
		expect(await closed).toEqual({ code: 4422, reason: 'A presence state is over 4096 bytes.' });
		await until(() => !c.provider.awareness.getStates().has(424243)); // its presence left with it
		expect(c.provider.awareness.getStates().has(424242)).toBe(false);
		expect(largest).toBeLessThan(4096);

		// The owner's own changes still go through.
		a.provider.awareness.setLocalStateField('cursor', { x: 7, y: 8 });
		await until(() => c.provider.awareness.getStates().get(aId)?.cursor?.x === 7);
	});
});
