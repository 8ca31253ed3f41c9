import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from './helpers/databases';
import { loopGraph } from './helpers/graphs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';

/**
 * Network history over the API (issue 17): a run keeps the graph it started on as a version, a
 * burst of edits settles into an automatic one, a named one is saved by hand, and restoring
 * one puts its wiring back after saving the graph it replaces.
 */
interface Version {
	id: string;
	kind: string;
	name: string | null;
	who: string;
	runId: string | null;
	summary: string;
}

describe.each(backends())('history API on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let editor: ApiClient;
	let id: string;
	const versions = async () => (await owner.json<Version[]>('GET', `/api/networks/${id}/versions`)).body;

	beforeAll(async () => {
		// A short settle time so an automatic version follows each edit within the test.
		server = await startServer({ backend: name, env: { PANIC_DUMMY_MODELS: '1', PANIC_HISTORY_SETTLE_MS: '100' } });
		owner = new ApiClient(server.url);
		editor = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password', displayName: 'Ada' });
		await editor.json('POST', '/api/auth/signup', { email: 'editor@example.org', password: 'editor password', displayName: 'Bo' });
		id = (await owner.json('POST', '/api/networks', { name: 'Loop' })).body.id;
		const invite = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor' });
		await editor.json('POST', new URL(invite.body.url).pathname.replace(/^\/invite\//, '/api/invites/'));
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
	});
	afterAll(() => server?.dispose());

	test('a run keeps its graph as a version; an edit after it is restored back with "restore this wiring"', async () => {
		const ranOn = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		const run = await owner.json('POST', `/api/networks/${id}/runs`, { input: 'hello' });
		expect(run.status).toBe(201);
		await owner.json('POST', `/api/runs/${run.body.runId}/stop`);
		const runVersion = await until('the run version', async () => (await versions()).find((v) => v.runId === run.body.runId));
		expect(runVersion).toMatchObject({ kind: 'run', who: 'Ada' });

		// Edit: one node gone (with its edges), by the editor.
		const edited = { ...ranOn, nodes: ranOn.nodes.slice(0, 1), edges: [] };
		expect((await editor.json('PUT', `/api/networks/${id}/graph`, edited)).status).toBe(200);
		const auto = await until('an automatic version of the edit', async () => (await versions()).find((v) => v.kind === 'auto' && v.summary.includes('removed')));
		// The burst the editor's PUT started names them.
		expect(auto).toMatchObject({ who: 'Bo', editors: ['Bo'], summary: '1 node removed, 2 edges removed' });
		expect((await versions()).find((v) => v.kind === 'before_import')).toMatchObject({ who: 'Bo' });

		const read = await owner.json('GET', `/api/networks/${id}/versions/${runVersion.id}`);
		expect(read.body.graph.nodes).toEqual(ranOn.nodes);

		const restored = await editor.json('POST', `/api/networks/${id}/versions/${runVersion.id}/restore`);
		expect(restored.status).toBe(200);
		const live = (await owner.json('GET', `/api/networks/${id}/graph`)).body;
		expect(live.nodes).toEqual(ranOn.nodes);
		expect(live.edges).toEqual(ranOn.edges);
		expect(live.name).toBe('Loop');
		expect((await versions()).find((v) => v.kind === 'before_restore')).toMatchObject({ who: 'Bo', name: expect.stringMatching(/^Before restoring run of /) });
	});

	test('named versions are saved by editors; the lock blocks restores but not reading', async () => {
		const saved = await editor.json('POST', `/api/networks/${id}/versions`, { name: '  Before the break ' });
		expect(saved.status).toBe(201);
		expect(saved.body).toMatchObject({ kind: 'named', name: 'Before the break', who: 'Bo' });
		expect((await editor.json('POST', `/api/networks/${id}/versions`, { name: '' })).status).toBe(400);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { locked: true })).status).toBe(200);
		const refused = await editor.json('POST', `/api/networks/${id}/versions/${saved.body.id}/restore`, {});
		expect(refused.status).toBe(423);
		expect((await editor.json('GET', `/api/networks/${id}/versions/${saved.body.id}`)).status).toBe(200);
		// In the browser: the server checks and saves "before restore", the canvas applies the graph.
		const inBrowser = await owner.json('POST', `/api/networks/${id}/versions/${saved.body.id}/restore`, { inBrowser: true });
		expect(inBrowser.status).toBe(200);
		expect(inBrowser.body.graph.nodes.length).toBeGreaterThan(0);
		expect((await owner.json('GET', `/api/networks/${id}/versions/nope`)).status).toBe(404);
	});
});
