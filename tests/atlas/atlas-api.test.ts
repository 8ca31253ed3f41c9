import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { atlasShape } from '../../server/atlas/atlas-schema';
import { loopGraph } from '../helpers/graphs';
import { runsAs } from '../helpers/runs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';

/**
 * The atlas over HTTP: a viewer reads a network's atlas and exports its runs with it; a stranger
 * gets the private network's 404; ?runs= naming another network's run is refused.
 */
describe('GET /api/networks/:id/atlas', () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => server?.dispose());

	test('viewers read it and export the runs with atlas.json; strangers and other networks’ runs are refused', async () => {
		const owner = new ApiClient(server.url);
		const viewer = new ApiClient(server.url);
		const stranger = new ApiClient(server.url);
		for (const [client, email] of [[owner, 'owner@example.org'], [viewer, 'viewer@example.org'], [stranger, 'stranger@example.org']] as const) {
			expect((await client.json('POST', '/api/auth/signup', { email, password: `${email} password` })).status).toBe(201);
		}
		const runs = runsAs(owner);
		const settings = { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 6 } };
		const networkId = await runs.network(loopGraph('local/paint', 'local/caption'), settings, 'atlas loop');
		const runIds: string[] = [];
		for (const prompt of ['a red circle', 'a blue square', 'a red circle']) {
			const runId = await runs.start(networkId, prompt);
			await runs.ended(runId);
			runIds.push(runId);
		}
		const otherNetwork = await runs.network(loopGraph('local/paint', 'local/caption'), settings, 'another loop');
		const otherRun = await runs.start(otherNetwork, 'a green triangle');
		await runs.ended(otherRun);

		const { url } = (await owner.json('POST', `/api/networks/${networkId}/invites`, { role: 'viewer' })).body;
		expect((await viewer.json('POST', `/api/invites/${String(url).split('/').pop()}`)).status).toBe(200);

		const seen = await viewer.json('GET', `/api/networks/${networkId}/atlas`);
		expect(seen.status).toBe(200);
		const atlas = atlasShape.parse(seen.body);
		expect(atlas.runs).toBe(3);
		expect(atlas.runList.map((r) => r.runId).sort()).toEqual([...runIds].sort());
		for (const m of atlas.modalities) expect(m.attractors.reduce((sum, a) => sum + a.basin, 0)).toBe(3);
		// The two runs of one prompt end alike (the built-in models are deterministic).
		const text = atlas.modalities.find((m) => m.kind === 'text')!;
		expect(text.attractors.find((a) => a.prompts.some((p) => p.prompt === 'a red circle'))!.prompts).toContainEqual({ prompt: 'a red circle', runs: 2 });

		const subset = await viewer.json('GET', `/api/networks/${networkId}/atlas?runs=${runIds[0]},${runIds[1]}`);
		expect(subset.status).toBe(200);
		expect(subset.body.runs).toBe(2);

		expect((await stranger.json('GET', `/api/networks/${networkId}/atlas`)).status).toBe(404);
		const foreign = await owner.json('GET', `/api/networks/${networkId}/atlas?runs=${runIds[0]},${otherRun}`);
		expect(foreign.status).toBe(404);
		expect(foreign.body.error).toContain(otherRun);
		expect((await owner.json('GET', `/api/networks/${networkId}/atlas?runs=${'x'.repeat(70)}`)).status).toBe(400);
		expect((await owner.json('GET', `/api/networks/${networkId}/atlas?color=red`)).status).toBe(400);

		// The runs export: every run's panic-run JSON, the atlas, and the pictures they reference.
		const zip = await viewer.request('GET', `/api/networks/${networkId}/runs/export.zip`);
		expect(zip.status).toBe(200);
		expect(zip.headers.get('content-type')).toBe('application/zip');
		const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
		expect(Object.keys(files).filter((n) => n.startsWith('runs/')).sort()).toEqual(runIds.map((id) => `runs/${id}.panic-run.json`).sort());
		expect(JSON.parse(new TextDecoder().decode(files['atlas.json']))).toEqual(seen.body);
		expect(Object.keys(files).some((n) => /^assets\/[0-9a-f]{64}\.png$/.test(n))).toBe(true);
		expect((await stranger.request('GET', `/api/networks/${networkId}/runs/export.zip`)).status).toBe(404);
	}, 120_000);
});
