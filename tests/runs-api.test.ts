import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';
import { loopGraph } from './helpers/graphs';
import { encodeWav } from '../server/platforms/local/wav';

interface Invocation {
	seq: number;
	state: string;
	parentSeq: number | null;
	attempts: number;
	nodeId: string;
	output: { kind: string; text?: string; url?: string } | null;
}

async function allInvocations(client: ApiClient, runId: string): Promise<Invocation[]> {
	const all: Invocation[] = [];
	for (let after = 0; ; ) {
		const page = await client.json('GET', `/api/runs/${runId}?after=${after}&limit=100`);
		all.push(...page.body.invocations);
		if (page.body.nextAfter === null) return all;
		after = page.body.nextAfter;
	}
}

describe.each(backends())('runs API on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let bob: ApiClient;
	let id: string;

	beforeAll(async () => {
		server = await startServer({ backend: name, env: { PANIC_DUMMY_MODELS: '1' } });
		owner = new ApiClient(server.url);
		bob = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		await bob.json('POST', '/api/auth/signup', { email: 'bob@example.org', password: 'bob password!' });
		id = (await owner.json('POST', '/api/networks', { name: 'Loop' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
	});
	afterAll(() => server?.dispose());

	test('run settings are validated and stored through PATCH /api/networks/:id', async () => {
		const patched = await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 30 }, maxConcurrent: 2 } });
		expect(patched.status).toBe(200);
		expect(patched.body.settings).toEqual({ pacing: { fixedMs: 30 }, maxConcurrent: 2 });
		const merged = await owner.json('PATCH', `/api/networks/${id}`, { settings: { lockoutSeconds: 10 } });
		expect(merged.body.settings).toEqual({ pacing: { fixedMs: 30 }, maxConcurrent: 2, lockoutSeconds: 10 });
		expect((await owner.json('PATCH', `/api/networks/${id}`, { settings: { maxConcurrent: 0 } })).status).toBe(400);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { settings: { onError: 'explode' } })).status).toBe(400);
	});

	test('start, list, page through and stop a run', async () => {
		expect((await bob.json('POST', `/api/networks/${id}/runs`, { input: 'hi' })).status).toBe(404);
		expect((await owner.json('POST', `/api/networks/${id}/runs`, { input: '' })).status).toBe(400);
		expect((await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'video' } })).status).toBe(400);
		const started = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'hello' } });
		expect(started.status).toBe(201);
		const { runId } = started.body;
		expect(runId).toMatch(/^[a-z2-7]{24}$/);

		await until('6 invocations', async () => (await owner.json('GET', `/api/runs/${runId}`)).body.invocations.length >= 6);
		const page = await owner.json('GET', `/api/runs/${runId}?after=1&limit=2`);
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({ id: runId, networkId: id, status: 'running', input: { kind: 'text', text: 'hello' } });
		expect(page.body.invocations.map((i: Invocation) => i.seq)).toEqual([2, 3]);
		expect(page.body.invocations[0]).toMatchObject({ nodeId: 'b', parentSeq: 1, state: 'completed', output: { kind: 'text', text: 'HELLO' } });
		expect(page.body.nextAfter).toBe(3);
		expect((await owner.json('GET', `/api/runs/${runId}?limit=0`)).status).toBe(400);

		const second = (await owner.json('POST', `/api/networks/${id}/runs`, { input: 'again' })).body.runId;
		const list = await owner.json('GET', `/api/networks/${id}/runs`);
		expect(list.body.map((r: { id: string }) => r.id)).toEqual([second, runId]);
		expect(list.body[1]).toMatchObject({ status: 'stopped', stopCause: 'replaced' });

		expect((await bob.json('POST', `/api/runs/${second}/stop`)).status).toBe(404);
		const stopped = await owner.json('POST', `/api/runs/${second}/stop`);
		expect(stopped.status).toBe(200);
		expect(stopped.body).toMatchObject({ id: second, status: 'stopped', stopCause: 'stopped', stoppedNow: true });
		expect((await owner.json('POST', `/api/runs/${second}/stop`)).body.stoppedNow).toBe(false);
		const invocations = await allInvocations(owner, second);
		expect(invocations.map((i) => i.seq)).toEqual(invocations.map((_, i) => i + 1));
	});

	test('one owner runs four at once: a fifth start is refused with 429 naming the limit, until one ends', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const made = (await bob.json('POST', '/api/networks', { name: `bob ${i}` })).body.id as string;
			await bob.json('PUT', `/api/networks/${made}/graph`, loopGraph('dummy/echo', 'dummy/upper'));
			await bob.json('PATCH', `/api/networks/${made}`, { settings: { pacing: { fixedMs: 1000 } } });
			ids.push(made);
		}
		const runIds: string[] = [];
		for (const made of ids.slice(0, 4)) runIds.push((await bob.json('POST', `/api/networks/${made}/runs`, { input: 'hi' })).body.runId);
		const refused = await bob.json('POST', `/api/networks/${ids[4]}/runs`, { input: 'hi' });
		expect(refused).toMatchObject({
			status: 429,
			body: { error: expect.stringMatching(/^This network's owner already has 4 runs going at once.*Stop one of them/), details: { limit: 'runs-per-owner', max: 4 } }
		});
		expect(refused.res.headers.get('retry-after')).toBe('30');
		// Starting one of the four again replaces its run: no new place needed.
		const again = await bob.json('POST', `/api/networks/${ids[0]}/runs`, { input: 'again' });
		expect(again.status).toBe(201);
		runIds[0] = again.body.runId;
		expect((await bob.json('POST', `/api/runs/${runIds[1]}/stop`)).status).toBe(200);
		const fifth = await bob.json('POST', `/api/networks/${ids[4]}/runs`, { input: 'hi' });
		expect(fifth.status).toBe(201);
		for (const runId of [runIds[0], runIds[2], runIds[3], fifth.body.runId]) await bob.json('POST', `/api/runs/${runId}/stop`);
	});

	test('viewers read runs but cannot start or stop them', async () => {
		await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public' });
		const runId = (await owner.json('POST', `/api/networks/${id}/runs`, { input: 'watch' })).body.runId;
		expect((await bob.json('GET', `/api/networks/${id}/runs`)).status).toBe(200);
		expect((await bob.json('GET', `/api/runs/${runId}`)).status).toBe(200);
		expect((await bob.json('POST', `/api/networks/${id}/runs`, { input: 'mine' })).status).toBe(403);
		expect((await bob.json('POST', `/api/runs/${runId}/stop`)).status).toBe(403);
		expect((await new ApiClient(server.url).json('POST', `/api/networks/${id}/runs`, { input: 'x' })).status).toBe(401);
		expect((await owner.json('POST', `/api/runs/${runId}/stop`)).status).toBe(200);
		expect((await owner.json('GET', `/api/runs/nosuchrun`)).status).toBe(404);
	});

	test('a start node that takes images refuses text; images are stored as assets and served immutable', async () => {
		const net = (await owner.json('POST', '/api/networks', { name: 'Eyes' })).body.id;
		await owner.json('PUT', `/api/networks/${net}/graph`, loopGraph('local/paint', 'local/caption'));
		await owner.json('PATCH', `/api/networks/${net}`, { settings: { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 4 } } });
		const runId = (await owner.json('POST', `/api/networks/${net}/runs`, { input: 'a dream of the sea at dawn' })).body.runId;
		const run = await until('the budget', async () => {
			const r = await owner.json('GET', `/api/runs/${runId}`);
			return r.body.status !== 'running' && r.body;
		});
		expect(run).toMatchObject({ status: 'stopped', stopCause: 'budget' });
		const url: string = run.invocations[0].output.url;
		expect(url).toMatch(/^\/assets\/[0-9a-f]{64}\.png$/);

		const res = await fetch(server.url + url);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/png');
		expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		const etag = res.headers.get('etag')!;
		expect([...new Uint8Array(await res.arrayBuffer())].slice(0, 4)).toEqual([0x89, 0x50, 0x4e, 0x47]);
		expect((await fetch(server.url + url, { headers: { 'if-none-match': etag } })).status).toBe(304);
		expect((await fetch(server.url + url.replace('.png', '.wav'))).status).toBe(404);
		expect((await fetch(`${server.url}/assets/${'0'.repeat(64)}.png`)).status).toBe(404);
		expect((await fetch(`${server.url}/assets/not-a-hash.png`)).status).toBe(404);
		expect((await fetch(`${server.url}/assets/${url.slice(8, 72).toUpperCase()}.png`)).status).toBe(404);

		// An image input into a network that starts with caption.
		const eyes = (await owner.json('POST', '/api/networks', { name: 'Caption first' })).body.id;
		await owner.json('PUT', `/api/networks/${eyes}/graph`, loopGraph('local/caption', 'local/paint'));
		expect((await owner.json('POST', `/api/networks/${eyes}/runs`, { input: 'text' })).status).toBe(400);
		const png = Buffer.from(await (await fetch(server.url + url)).arrayBuffer()).toString('base64');
		const bad = await owner.json('POST', `/api/networks/${eyes}/runs`, { input: { kind: 'image', mime: 'image/png', dataBase64: 'aGVsbG8gd29ybGQh' } });
		expect(bad.status).toBe(400);
		const started = await owner.json('POST', `/api/networks/${eyes}/runs`, { input: { kind: 'image', mime: 'image/png', dataBase64: png } });
		expect(started.status).toBe(201);
		const first = await until('a caption', async () => (await owner.json('GET', `/api/runs/${started.body.runId}`)).body.invocations[0]?.output);
		expect(first.kind).toBe('text');
		expect((await owner.json('POST', `/api/runs/${started.body.runId}/stop`)).status).toBe(200);
	});

	test('an audio input is WAV by its bytes: a RIFF file of another form is refused, a real WAV starts', async () => {
		const ears = (await owner.json('POST', '/api/networks', { name: 'Listen first' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${ears}/graph`, loopGraph('local/listen', 'local/sing'))).status).toBe(200);
		const avi = Buffer.from('RIFF\x10\x00\x00\x00AVI LIST\x04\x00\x00\x00hdrl', 'latin1').toString('base64');
		const refused = await owner.json('POST', `/api/networks/${ears}/runs`, { input: { kind: 'audio', mime: 'audio/wav', dataBase64: avi } });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toBe('The audio is not a valid audio/wav file.');

		const wav = Buffer.from(encodeWav({ sampleRate: 8000, samples: new Float32Array(800) })).toString('base64');
		const started = await owner.json('POST', `/api/networks/${ears}/runs`, { input: { kind: 'audio', mime: 'audio/wav', dataBase64: wav } });
		expect(started.status).toBe(201);
		expect((await owner.json('POST', `/api/runs/${started.body.runId}/stop`)).status).toBe(200);
	});
});

describe.each(backends())('kill -9 mid-run on $name', ({ name }) => {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-kill-'));
	const servers: TestServer[] = [];
	afterAll(async () => {
		for (const s of servers.reverse()) await s.dispose();
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	test('the run continues after a restart with contiguous seqs', async () => {
		const first = await startServer({ backend: name, dataDir, env: { PANIC_DUMMY_MODELS: '1' } });
		servers.push(first);
		const client = new ApiClient(first.url);
		await client.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		const id = (await client.json('POST', '/api/networks', { name: 'Survivor' })).body.id;
		await client.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'));
		await client.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 100 } } });
		const { runId } = (await client.json('POST', `/api/networks/${id}/runs`, { input: 'still here' })).body;
		await until('5 completed', async () =>
			(await client.json('GET', `/api/runs/${runId}`)).body.invocations.filter((i: Invocation) => i.state === 'completed').length >= 5
		);
		await first.stop('SIGKILL');

		const second = await startServer({ dataDir, databaseUrl: first.databaseUrl, env: { PANIC_DUMMY_MODELS: '1' } });
		servers.push(second);
		const again = new ApiClient(second.url);
		again.cookies = client.cookies;
		const before = await allInvocations(again, runId);
		const completedBefore = before.filter((i) => i.state === 'completed').length;
		await until('5 more completed', async () => (await allInvocations(again, runId)).filter((i) => i.state === 'completed').length >= completedBefore + 5);
		expect((await again.json('POST', `/api/runs/${runId}/stop`)).status).toBe(200);

		const invocations = await allInvocations(again, runId);
		expect(invocations.map((i) => i.seq)).toEqual(invocations.map((_, i) => i + 1));
		// A loop of one edge each way: every invocation but the first takes the one before it.
		expect(invocations.slice(1).every((i) => i.parentSeq === i.seq - 1)).toBe(true);
		expect(invocations.slice(0, -1).every((i) => i.state === 'completed')).toBe(true);
		expect(['cancelled', 'completed']).toContain(invocations.at(-1)!.state);
		// An invocation interrupted by the kill ran again as attempt 2; none ran more than that.
		expect(invocations.filter((i) => i.state === 'completed').every((i) => i.attempts === 1 || i.attempts === 2)).toBe(true);
	});
});
