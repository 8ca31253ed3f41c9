/**
 * Hugging Face models end to end (issue 12): the production server runs networks of
 * catalogued Hugging Face models against the fake Hugging Face (Hub + router, reached through
 * HF_BASE_URL), with the owner's saved token. The fake serves only what served.ts says the
 * real one serves, on the providers' own router routes, so a run shows which provider each
 * call went to: groq for gpt-oss, another provider when a node picks it, nscale and novita in
 * an image loop. Then the failures a workshop meets: an account out of credits stops the run
 * in PANIC's words, and a model whose mapping disappears mid-run fails its step as gone (and
 * the availability check says why).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HF_NO_CREDIT_MESSAGE, startFakeHuggingFace, type FakeHuggingFace } from './fakes/fake-huggingface';
import type { RecordedRequest } from './fakes/http';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { runsAs } from './helpers/runs';
import { loopGraph } from './helpers/graphs';
import { createHuggingFacePlatform } from '../server/platforms/huggingface/platform';
import { HUGGINGFACE_MODELS } from '../server/platforms/huggingface/models';

const HF_KEY = 'hf_owner_key_0123456789abcdefghijklmn';
const GPT_OSS = 'huggingface/openai/gpt-oss-20b';
const FLUX = 'huggingface/black-forest-labs/FLUX.1-schnell';
const GEMMA = 'huggingface/google/gemma-4-31B-it';
const GROQ_CHAT = '/router/groq/openai/v1/chat/completions';
const OVH_CHAT = '/router/ovhcloud/v1/chat/completions';


describe('Hugging Face models through the app', () => {
	let fake: FakeHuggingFace;
	let server: TestServer;
	let owner: ApiClient;

	let runs: ReturnType<typeof runsAs>;
	const network = (graph: unknown, settings: Record<string, unknown>) => runs.network(graph, settings, 'hf loop');
	const start = (id: string, text: string) => runs.start(id, text);
	const ended = (runId: string) => runs.ended(runId);
	const posts = (since: number, path: string) => fake.requests.slice(since).filter((r) => r.method === 'POST' && r.path === path);
	const modelOf = (r: RecordedRequest) => JSON.parse(r.body).model as string;

	beforeAll(async () => {
		fake = await startFakeHuggingFace({ keys: [HF_KEY] });
		server = await startServer({ env: { HF_BASE_URL: fake.url } });
		owner = new ApiClient(server.url);
		runs = runsAs(owner);
		expect((await owner.json('POST', '/api/auth/signup', { email: 'hf-owner@example.org', password: 'feedback loops' })).status).toBe(201);
		const saved = await owner.json('PUT', '/api/me/keys/huggingface', { key: HF_KEY });
		expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
		await fake?.close();
	});

	test('A Hugging Face chat node runs through a non-hf-inference provider route (fake), end to end', async () => {
		const before = fake.requests.length;
		const id = await network(loopGraph(GPT_OSS, GPT_OSS), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 3 } });
		const body = await ended(await start(id, 'a lighthouse in fog'));
		expect(body).toMatchObject({ status: 'stopped', stopCause: 'budget', error: null });
		const done = body.invocations.filter((i) => i.state === 'completed');
		expect(done).toHaveLength(3);
		expect(done[0].output).toEqual({ kind: 'text', text: 'An answer to: a lighthouse in fog' });
		const chats = posts(before, GROQ_CHAT);
		expect(chats).toHaveLength(3);
		expect(chats.map(modelOf)).toEqual(['openai/gpt-oss-20b', 'openai/gpt-oss-20b', 'openai/gpt-oss-20b']);
		expect(chats.every((r) => r.headers.authorization === `Bearer ${HF_KEY}`)).toBe(true);
		expect(fake.requests.slice(before).some((r) => r.path.startsWith('/router/hf-inference/'))).toBe(false);
	});

	test('a node that picks another provider runs there, with that provider’s model id', async () => {
		const graph = loopGraph(GPT_OSS, GPT_OSS);
		graph.nodes[1] = { ...graph.nodes[1], params: { provider: 'ovhcloud', temperature: 0.3 } };
		const before = fake.requests.length;
		const id = await network(graph, { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 2 } });
		const body = await ended(await start(id, 'two providers'));
		// (The budget may cancel a third call already scheduled.)
		expect(body.invocations.filter((i) => i.state === 'completed').map((i) => i.nodeId)).toEqual(['a', 'b']);
		expect(posts(before, GROQ_CHAT).map(modelOf)).toEqual(['openai/gpt-oss-20b']);
		const ovh = posts(before, OVH_CHAT);
		expect(ovh.map(modelOf)).toEqual(['gpt-oss-20b']);
		expect(JSON.parse(ovh[0].body).temperature).toBe(0.3);
	});

	test('a text→image→text loop paints on nscale and looks on novita; images are stored as assets', async () => {
		const before = fake.requests.length;
		const id = await network(loopGraph(FLUX, GEMMA), { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 2 } });
		const body = await ended(await start(id, 'a red square'));
		const [painted, seen] = body.invocations;
		expect(painted).toMatchObject({ state: 'completed', output: { kind: 'image' } });
		expect(painted.output?.url).toMatch(/^\/assets\//);
		expect(seen).toMatchObject({ state: 'completed', output: { kind: 'text' } });
		expect(seen.output?.text).toMatch(/^A picture of \d+ bytes \(image\/png\)\.$/);
		expect(posts(before, '/router/nscale/v1/images/generations')).toHaveLength(1);
		const look = posts(before, '/router/novita/v3/openai/chat/completions');
		expect(look.map(modelOf)).toEqual(['google/gemma-4-31b-it']);
		expect(JSON.parse(look[0].body).messages[0].content[1].image_url.url).toMatch(/^data:image\/png;base64,/);
	});

	test('an account out of Inference Providers credits (402) stops the run with the credit message', async () => {
		fake.creditsExhausted = true;
		try {
			const id = await network(loopGraph(GPT_OSS, GPT_OSS), { pacing: { fixedMs: 0 }, onError: 'continue' });
			const body = await ended(await start(id, 'no credit'));
			expect(body).toMatchObject({ status: 'failed', stopCause: 'error' });
			expect(body.error).toMatch(/^The owner's Hugging Face account has used its Inference Providers credits \(402\)/);
			expect(body.error).not.toContain(HF_NO_CREDIT_MESSAGE);
			expect(body.invocations.map((i) => [i.state, i.attempts])).toEqual([['failed', 1]]);
		} finally {
			fake.creditsExhausted = false;
		}
	});

	// Last: it retires gpt-oss on groq for the rest of this fake's life.
	test('a mapping removed mid-run fails the step as gone, and the availability check says why', async () => {
		fake.retireAfter('openai/gpt-oss-20b', 'groq', 1);
		const id = await network(loopGraph(GPT_OSS, GPT_OSS), { pacing: { fixedMs: 0 }, onError: 'stop' });
		const body = await ended(await start(id, 'going, going'));
		expect(body.invocations.map((i) => [i.state, i.attempts])).toEqual([
			['completed', 1],
			['failed', 1]
		]);
		const gone = body.invocations[1].error!;
		expect(gone).toBe("Hugging Face's groq route no longer serves openai/gpt-oss-20b; pick another provider for the node, or another model.");
		expect(gone).not.toMatch(/invalid input|refused the request/i);
		expect(body).toMatchObject({ status: 'failed', stopCause: 'error', error: gone });

		const platform = createHuggingFacePlatform({ hfBaseUrl: fake.url });
		const entry = HUGGINGFACE_MODELS.find((m) => m.id === GPT_OSS)!;
		const answers = await platform.checkAvailability!([entry], { key: HF_KEY, signal: new AbortController().signal });
		expect(answers.get(GPT_OSS)).toEqual({ available: false, reason: "Hugging Face's groq route no longer serves openai/gpt-oss-20b." });
	});
});
