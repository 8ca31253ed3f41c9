import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { appProvider, synced } from './helpers/sync-client';
import { sleep, until } from './helpers/wait';
import { loopGraph } from './helpers/graphs';

/**
 * Facilitator controls over the real server (issue 6): pausing and resuming a run, pacing
 * the active run live, and locking the canvas for a performance. Needs the production build.
 */

const provider = (server: TestServer, room: string, client: ApiClient) => appProvider(server.url, room, client);

const dummyLoop = loopGraph('dummy/echo', 'dummy/upper');

describe.each(backends())('facilitator controls over the API on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let editor: ApiClient;
	let viewer: ApiClient;
	let stranger: ApiClient;
	let id: string;

	const run = async (runId: string) => (await owner.json('GET', `/api/runs/${runId}?limit=1000`)).body;
	const started = async (runId: string) =>
		(await run(runId)).invocations.filter((i: { startedAt: string | null }) => i.startedAt !== null).length;

	beforeAll(async () => {
		server = await startServer({ backend: name, env: { PANIC_DUMMY_MODELS: '1' } });
		[owner, editor, viewer, stranger] = [0, 1, 2, 3].map(() => new ApiClient(server.url));
		for (const [client, who] of [[owner, 'owner'], [editor, 'editor'], [viewer, 'viewer'], [stranger, 'stranger']] as const) {
			await client.json('POST', '/api/auth/signup', { email: `${who}@example.org`, password: `${who} password!` });
		}
		id = (await owner.json('POST', '/api/networks', { name: 'Performance' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, dummyLoop)).status).toBe(200);
		for (const [client, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
			const { body } = await owner.json('POST', `/api/networks/${id}/invites`, { role });
			await client.json('POST', `/api/invites/${body.url.split('/').pop()}`);
		}
	});
	afterAll(() => server?.dispose());

	test('owners and editors pause and resume a run; others may not; an ended run is a conflict', async () => {
		await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 50 } } });
		const { runId } = (await owner.json('POST', `/api/networks/${id}/runs`, { input: 'pause me' })).body;
		await until('a few steps', async () => (await started(runId)) >= 3);

		expect((await new ApiClient(server.url).json('POST', `/api/runs/${runId}/pause`)).status).toBe(401);
		expect((await stranger.json('POST', `/api/runs/${runId}/pause`)).status).toBe(404);
		const refused = await viewer.json('POST', `/api/runs/${runId}/pause`);
		expect(refused.status).toBe(403);
		expect(refused.body.error).toMatch(/owner and invited editors/);

		const paused = await editor.json('POST', `/api/runs/${runId}/pause`);
		expect(paused.status).toBe(200);
		expect(paused.body).toMatchObject({ id: runId, status: 'running', pausedAt: expect.any(String) });
		await sleep(100); // whatever was running finishes
		const count = await started(runId);
		await sleep(300); // six pacing intervals
		expect(await started(runId)).toBe(count);
		expect((await run(runId)).pausedAt).toBe(paused.body.pausedAt);

		const resumed = await owner.json('POST', `/api/runs/${runId}/resume`);
		expect(resumed.status).toBe(200);
		expect(resumed.body).toMatchObject({ id: runId, status: 'running', pausedAt: null });
		await until('progress after resuming', async () => (await started(runId)) >= count + 3);

		await owner.json('POST', `/api/runs/${runId}/pause`);
		expect((await owner.json('POST', `/api/runs/${runId}/stop`)).body).toMatchObject({ status: 'stopped', stoppedNow: true, pausedAt: null });
		const late = await editor.json('POST', `/api/runs/${runId}/resume`);
		expect(late.status).toBe(409);
		expect(late.body.error).toMatch(/ended/);
		expect((await owner.json('POST', `/api/runs/${runId}/pause`)).status).toBe(409);
		expect((await owner.json('POST', '/api/runs/nosuchrun/pause')).status).toBe(404);
		const invocations = (await run(runId)).invocations as { seq: number }[];
		expect(invocations.map((i) => i.seq)).toEqual(invocations.map((_, i) => i + 1));
	});

	test('a pacing change through PATCH reaches the active run at once', async () => {
		// A minute between starts: the run holds at its first step for the whole test unless the
		// change reaches the wait it is in. (A fixed sleep for the first step, and a 3 s bound on
		// ten steps after the change, both lost to a busy CI machine.)
		await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 60_000 }, maxConcurrent: 1 } });
		const { runId } = (await owner.json('POST', `/api/networks/${id}/runs`, { input: 'faster' })).body;
		await until('the first step', async () => (await started(runId)) >= 1);
		expect(await started(runId)).toBe(1);
		expect((await editor.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 10 } } })).status).toBe(200);
		// Ten steps well inside the minute the old pacing would have held the second one back.
		await until('ten steps at the new pacing', async () => (await started(runId)) >= 10, 20_000);
		expect((await run(runId)).settings).toMatchObject({ pacing: { fixedMs: 10 }, maxConcurrent: 1 });
		await owner.json('POST', `/api/runs/${runId}/stop`);
	});

	test('editors lock the canvas, only the owner unlocks it; a locked graph refuses editors', async () => {
		expect((await owner.json('GET', `/api/networks/${id}`)).body.locked).toBe(false);
		expect((await viewer.json('PATCH', `/api/networks/${id}`, { locked: true })).status).toBe(403);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { locked: 'yes' })).status).toBe(400);

		const locked = await editor.json('PATCH', `/api/networks/${id}`, { locked: true });
		expect(locked.status).toBe(200);
		expect(locked.body).toMatchObject({ id, locked: true });
		expect((await viewer.json('GET', `/api/networks/${id}`)).body.locked).toBe(true);
		expect((await editor.json('GET', '/api/networks')).body.find((n: { id: string }) => n.id === id).locked).toBe(true);

		const put = await editor.json('PUT', `/api/networks/${id}/graph`, { ...dummyLoop, startNodeId: 'b' });
		expect(put.status).toBe(423);
		expect(put.body.error).toBe('The canvas is locked for a performance; the owner can unlock it.');
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, dummyLoop)).status).toBe(200);
		// Runs still start while locked: the lock is about the canvas.
		const { runId } = (await editor.json('POST', `/api/networks/${id}/runs`, { input: 'show' })).body;
		expect(runId).toBeTruthy();
		await owner.json('POST', `/api/runs/${runId}/stop`);

		const unlock = await editor.json('PATCH', `/api/networks/${id}`, { locked: false });
		expect(unlock.status).toBe(403);
		expect(unlock.body.error).toMatch(/Only the owner can unlock/);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { locked: false })).body.locked).toBe(false);
		expect((await editor.json('PUT', `/api/networks/${id}/graph`, dummyLoop)).status).toBe(200);
	});

	test("locking turns editors' open graph sockets read-only (they reconnect); the owner keeps writing", async () => {
		const a = provider(server, id, owner);
		const b = provider(server, id, editor);
		await Promise.all([synced(a.provider), synced(b.provider)]);
		const nodeOf = (doc: Y.Doc, nodeId: string) => doc.getMap('nodes').get(nodeId) as Y.Map<unknown> | undefined;
		nodeOf(b.doc, 'a')!.set('x', 10);
		await until('the editor edit to reach the owner', () => nodeOf(a.doc, 'a')?.get('x') === 10);

		const closes: number[] = [];
		b.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));
		const ownerCloses: number[] = [];
		a.provider.on('connection-close', (event: { code: number } | null) => event && ownerCloses.push(event.code));
		expect((await owner.json('PATCH', `/api/networks/${id}`, { locked: true })).status).toBe(200);
		await until('the editor socket to close with accessChanged', () => closes.includes(4000));
		await until('the editor to be back', () => b.provider.wsconnected && b.provider.synced);
		// Every open canvas is told through the doc, so the editor's UI goes read-only at once.
		expect(b.doc.getMap('meta').get('locked')).toBe(true);
		expect(a.doc.getMap('meta').get('locked')).toBe(true);

		// The editor's edit now stays on their machine; the owner's reaches everyone and the store.
		nodeOf(b.doc, 'a')!.set('x', -1);
		nodeOf(a.doc, 'b')!.set('y', 77); // a marker after it
		await until('the owner edit to reach the editor', () => nodeOf(b.doc, 'b')?.get('y') === 77);
		await sleep(300);
		expect(nodeOf(a.doc, 'a')!.get('x')).toBe(10);
		const stored = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		expect(stored.nodes.find((n: { id: string }) => n.id === 'a').x).toBe(10);
		expect(stored.nodes.find((n: { id: string }) => n.id === 'b').y).toBe(77);
		expect(ownerCloses).toEqual([]);

		// Unlocked: the editor is disconnected again and comes back writing.
		b.provider.destroy();
		const c = provider(server, id, editor);
		await synced(c.provider);
		const reclosed: number[] = [];
		c.provider.on('connection-close', (event: { code: number } | null) => event && reclosed.push(event.code));
		expect((await owner.json('PATCH', `/api/networks/${id}`, { locked: false })).status).toBe(200);
		await until('the editor socket to close again', () => reclosed.includes(4000));
		expect(c.doc.getMap('meta').get('locked')).toBe(false);
		await until('the editor to be back', () => c.provider.wsconnected && c.provider.synced);
		nodeOf(c.doc, 'a')!.set('x', 20);
		await until('the editor edit to reach the owner again', () => nodeOf(a.doc, 'a')?.get('x') === 20);
		for (const p of [a, c]) p.provider.destroy();
	});
});
