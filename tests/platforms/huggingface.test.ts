/**
 * The Hugging Face adapter against the fake Hub + router, through the real
 * `@huggingface/inference` client over HTTP: the shared platform contract, then one check
 * per task and provider (what reaches which provider route, what comes back), the node's
 * provider choice, output files behind the guard, credits, models that are gone, the
 * availability check, and the catalogue against the table of what Hugging Face serves.
 *
 * Note: the client caches each model's provider mapping for the life of the process (this
 * test file), whichever fake answered first; tests that retire a mapping expect either way
 * of finding out (no mapping at the Hub, or the provider's 404).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlatformContract } from './contract';
import { HF_NO_CREDIT_MESSAGE, startFakeHuggingFace, type FakeHuggingFace } from '../fakes/fake-huggingface';
import { createHuggingFacePlatform } from '../../server/platforms/huggingface/platform';
import {
	CALLABLE_PROVIDERS,
	HUB_TASK,
	HUGGINGFACE_EMBEDDERS,
	HUGGINGFACE_MODELS,
	type HuggingFaceEmbedderInfo,
	type HuggingFaceModelInfo
} from '../../server/platforms/huggingface/models';
import { SERVED, type ServedModel } from '../../server/platforms/huggingface/served';
import { OUTPUT_DOWNLOAD_FAILED } from '../../server/platforms/hosted/file-download';
import { createHfInferenceClient } from '../../server/platforms/clients';
import { acceptsValue } from '../../server/platforms/params';
import { PlatformError, type Platform } from '../../server/platforms/platform';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import type { ModelInfo, Payload } from '../../server/shared/platforms/types';

const KEY = 'hf_PanicTest0123456789abcdefghijklmn';
const GPT_OSS = 'huggingface/openai/gpt-oss-20b';
const GEMMA = 'huggingface/google/gemma-4-31B-it';
const FLUX = 'huggingface/black-forest-labs/FLUX.1-schnell';
const KLEIN = 'huggingface/black-forest-labs/FLUX.2-klein-9B';
const WHISPER = 'huggingface/openai/whisper-large-v3';

function catalogued(id: string): HuggingFaceModelInfo {
	const found = HUGGINGFACE_MODELS.find((m) => m.id === id);
	if (!found) throw new Error(`${id} is not catalogued`);
	return found;
}

const png = encodePng({ width: 3, height: 1, rgb: new Uint8Array([0, 0, 0, 128, 128, 128, 255, 255, 255]) });
const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(400).map((_, i) => Math.sin(i / 3)) });
const image: Payload = { kind: 'image', bytes: png, mime: 'image/png' };
const audio: Payload = { kind: 'audio', bytes: wav, mime: 'audio/wav' };
const text = (value: string): Payload => ({ kind: 'text', text: value });
const signal = () => new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof PlatformError) return error;
		throw error;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

/** A server that stands for anything inside the network: it must never be asked for anything. */
async function internalServer(): Promise<{ server: Server; hits: string[]; origin: string }> {
	const hits: string[] = [];
	const server = createServer((req, res) => {
		hits.push(req.url ?? '');
		res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(png));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, hits, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

describePlatformContract('huggingface', async () => {
	const fake = await startFakeHuggingFace({ keys: [KEY] });
	return {
		platform: createHuggingFacePlatform({ hfBaseUrl: fake.url }),
		fake,
		key: KEY,
		model: catalogued(FLUX),
		input: text('a lighthouse'),
		route: 'POST /router/nscale/v1/images/generations',
		refuseNext: () => fake.refuseNext(),
		malformNext: () => fake.malformNext(),
		close: () => fake.close()
	};
});

describe('huggingface: tasks on their providers', () => {
	let fake: FakeHuggingFace;
	let platform: Platform;
	let internal: Awaited<ReturnType<typeof internalServer>>;
	const invoke = (model: ModelInfo, input: Payload, params: Record<string, unknown> = {}, key = KEY) => platform.invoke(model, input, { signal: signal(), key, params });
	const lastPost = () => fake.requests.filter((r) => r.method === 'POST').at(-1)!;

	beforeAll(async () => {
		fake = await startFakeHuggingFace({ keys: [KEY] });
		platform = createHuggingFacePlatform({ hfBaseUrl: fake.url });
		internal = await internalServer();
	});
	afterAll(async () => {
		await fake.close();
		internal.server.close();
	});

	it('chats on groq with the provider’s model id, a system prompt, a fixed token cap and usage metrics', async () => {
		const model = catalogued(GPT_OSS);
		const result = await invoke(model, text('the sea'), { temperature: 0.2, max_tokens: 5000, colour: 'never sent' });
		expect(result.output).toEqual({ kind: 'text', text: 'An answer to: the sea' });
		expect(result.metrics).toMatchObject({ inputTokens: 12, outputTokens: 7, totalTokens: 19 });
		expect(result.requestId).toBe('groq-req-1');
		const sent = lastPost();
		expect(sent.path).toBe('/router/groq/openai/v1/chat/completions');
		expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
		const body = JSON.parse(sent.body);
		expect(body).toEqual({
			model: 'openai/gpt-oss-20b',
			messages: [
				{ role: 'system', content: 'Answer the text you are given with one short paragraph of your own.' },
				{ role: 'user', content: 'the sea' }
			],
			temperature: 0.2,
			max_tokens: 1000
		});
		const lookup = fake.requests.find((r) => r.path === '/api/models/openai/gpt-oss-20b');
		expect(lookup?.query.get('expand[]')).toBe('inferenceProviderMapping');
	});

	it('runs a node on the provider it picks, with that provider’s model id', async () => {
		const result = await invoke(catalogued(GPT_OSS), text('the sea'), { provider: 'ovhcloud' });
		expect(result.output.kind).toBe('text');
		expect(lastPost().path).toBe('/router/ovhcloud/v1/chat/completions');
		expect(JSON.parse(lastPost().body).model).toBe('gpt-oss-20b');
	});

	it('refuses a provider the entry does not list, before any request', async () => {
		const before = fake.requests.length;
		for (const provider of ['cerebras', 'fal-ai', 42]) {
			const e = await failure(invoke(catalogued(GPT_OSS), text('x'), { provider }));
			expect(e.kind).toBe('invalid_input');
			expect(e.message).toMatch(/Inference provider/);
		}
		expect(fake.requests.length).toBe(before);
	});

	it('describes an image on novita: the prompt and a data URI in one user turn', async () => {
		const result = await invoke(catalogued(GEMMA), image);
		expect(result.output).toEqual({ kind: 'text', text: `A picture of ${png.byteLength} bytes (image/png).` });
		const sent = lastPost();
		expect(sent.path).toBe('/router/novita/v3/openai/chat/completions');
		const body = JSON.parse(sent.body);
		expect(body.model).toBe('google/gemma-4-31b-it');
		expect(body.max_tokens).toBe(300);
		expect(body.messages).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'Describe this image in one or two sentences.' },
					{ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } }
				]
			}
		]);
		await invoke(catalogued(GEMMA), image, { provider: 'cerebras', prompt: 'What colour dominates?' });
		expect(lastPost().path).toBe('/router/cerebras/v1/chat/completions');
		expect(JSON.parse(lastPost().body).model).toBe('gemma-4-31b');
		expect(JSON.parse(lastPost().body).messages[0].content[0].text).toBe('What colour dominates?');
	});

	it('paints on nscale: one POST, the base64 answer decoded', async () => {
		const before = fake.requests.length;
		const result = await invoke(catalogued(FLUX), text('a red square'));
		expect(result.output.kind).toBe('image');
		if (result.output.kind === 'image') expect(result.output.mime).toBe('image/png');
		const sent = fake.requests.slice(before).filter((r) => r.method === 'POST');
		expect(sent.map((r) => r.path)).toEqual(['/router/nscale/v1/images/generations']);
		expect(JSON.parse(sent[0].body)).toEqual({ response_format: 'b64_json', prompt: 'a red square', model: 'black-forest-labs/FLUX.1-schnell' });
	});

	it('paints on hf-inference when the node picks it, and never fetches an output URL outside the provider hosts', async () => {
		const result = await invoke(catalogued(FLUX), text('a red square'), { provider: 'hf-inference' });
		expect(result.output.kind).toBe('image');
		expect(lastPost().path).toBe('/router/hf-inference/models/black-forest-labs/FLUX.1-schnell');
		// hf-inference may answer `{ output: [url] }`; the client would fetch it with the global fetch.
		fake.outputUrlNext(`${internal.origin}/latest/meta-data`);
		const e = await failure(invoke(catalogued(FLUX), text('x'), { provider: 'hf-inference' }));
		expect(e.message).toBe(OUTPUT_DOWNLOAD_FAILED);
		expect(e.kind).toBe('invalid_output');
		expect(internal.hits).toEqual([]);
	});

	it('edits an image on replicate: the image inline, the output file downloaded by PANIC', async () => {
		const before = fake.requests.length;
		const result = await invoke(catalogued(KLEIN), image, { prompt: 'make it snow' });
		expect(result.output.kind).toBe('image');
		const sent = fake.requests.slice(before);
		const create = sent.find((r) => r.method === 'POST')!;
		expect(create.path).toBe('/router/replicate/v1/models/black-forest-labs/flux-2-klein-9b/predictions');
		expect(create.headers.prefer).toBe('wait');
		const { input } = JSON.parse(create.body);
		expect(input.prompt).toBe('make it snow');
		expect(input.image).toMatch(/^data:image\/png;base64,/);
		expect(sent.filter((r) => r.method === 'GET' && r.path.startsWith('/files/'))).toHaveLength(1);
	});

	it('refuses a replicate output URL outside the provider hosts, without fetching it', async () => {
		fake.outputUrlNext(`${internal.origin}/admin`);
		const e = await failure(invoke(catalogued(KLEIN), image));
		expect(e.message).toBe(OUTPUT_DOWNLOAD_FAILED);
		expect(internal.hits).toEqual([]);
	});

	it('transcribes audio on hf-inference, sent as the raw request body', async () => {
		const result = await invoke(catalogued(WHISPER), audio);
		expect(result.output).toEqual({ kind: 'text', text: `words heard in ${wav.byteLength} bytes` });
		const sent = lastPost();
		expect(sent.path).toBe('/router/hf-inference/models/openai/whisper-large-v3');
		expect(new Uint8Array(sent.rawBody)).toEqual(wav);
		expect(sent.headers['content-type']).toBe('audio/wav');
	});

	it('embeds text on deepinfra as a 1024-number vector', async () => {
		const embedder = HUGGINGFACE_EMBEDDERS.find((e) => !e.deprecated)!;
		const result = await platform.embed!(embedder, text('a loop'), { signal: signal(), key: KEY, params: {} });
		expect(result.vector).toHaveLength(1024);
		expect(lastPost().path).toBe('/router/deepinfra/v1/openai/embeddings');
		expect(JSON.parse(lastPost().body)).toEqual({ input: 'a loop', model: 'Qwen/Qwen3-Embedding-0.6B' });
		fake.malformNext();
		expect((await failure(platform.embed!(embedder, text('x'), { signal: signal(), key: KEY, params: {} }))).kind).toBe('invalid_output');
	});

	it('reports a cold model as unavailable, retryable after its estimated load time, with one request', async () => {
		const before = fake.requests.length;
		fake.loadingNext();
		const e = await failure(invoke(catalogued(WHISPER), audio));
		expect(e).toMatchObject({ kind: 'unavailable', retryable: true, retryAfterMs: 20_000, status: 503 });
		expect(fake.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('reports JSON where an image or text was expected as invalid output', async () => {
		fake.malformNext();
		expect((await failure(invoke(catalogued(KLEIN), image))).kind).toBe('invalid_output');
		fake.malformNext();
		expect((await failure(invoke(catalogued(GPT_OSS), text('x')))).kind).toBe('invalid_output');
		fake.malformNext();
		expect((await failure(invoke(catalogued(WHISPER), audio))).kind).toBe('invalid_output');
	});

	it('reports an account out of credits (402) as no_credit, which stops the run, in PANIC’s words', async () => {
		fake.creditsExhausted = true;
		try {
			const e = await failure(invoke(catalogued(GPT_OSS), text('x')));
			expect(e).toMatchObject({ kind: 'no_credit', status: 402, retryable: false, stopsRun: true });
			expect(e.message).toMatch(/^The owner's Hugging Face account has used its Inference Providers credits/);
			expect(e.message).not.toContain(HF_NO_CREDIT_MESSAGE);
		} finally {
			fake.creditsExhausted = false;
		}
	});

	it('reports a retired model as gone, not invalid input: no mapping at the Hub, before any inference request', async () => {
		const before = fake.requests.length;
		const blip = catalogued('huggingface/Salesforce/blip-image-captioning-large');
		expect(blip.deprecated).toBe(true);
		const e = await failure(invoke(blip, image));
		expect(e.kind).toBe('model_gone');
		expect(e.message).toBe("Hugging Face's hf-inference route no longer serves Salesforce/blip-image-captioning-large; pick another provider for the node, or another model.");
		expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
	});

	it('reports a repository the Hub does not know as gone', async () => {
		const unknown = { ...catalogued(WHISPER) };
		unknown.huggingface = { ...unknown.huggingface, repo: 'nobody/nothing' };
		const e = await failure(invoke(unknown, audio));
		expect(e.kind).toBe('model_gone');
		expect(e.message).toBe('Hugging Face no longer has a model named nobody/nothing.');
	});

	it('reports a mapping removed after the client cached it as gone (the provider’s 404)', async () => {
		await invoke(catalogued(GPT_OSS), text('cached'));
		fake.retire('openai/gpt-oss-20b', 'groq');
		const e = await failure(invoke(catalogued(GPT_OSS), text('again')));
		expect(e).toMatchObject({ kind: 'model_gone', status: 404, retryable: false });
		expect(e.message).toMatch(/^Hugging Face's groq route no longer serves openai\/gpt-oss-20b/);
		expect(lastPost().path).toBe('/router/groq/openai/v1/chat/completions');
	});

	it('refuses a key the router does not know (401) as auth, and a non-hf_ key before any request', async () => {
		const e = await failure(invoke(catalogued(WHISPER), audio, {}, 'hf_NotKnown000000000000000000000000'));
		expect(e).toMatchObject({ kind: 'auth', stopsRun: true });
		const before = fake.requests.length;
		const direct = await failure(invoke(catalogued(GPT_OSS), text('x'), {}, 'gsk_a_groq_key_000000000000000000'));
		expect(direct.kind).toBe('auth');
		expect(fake.requests.length).toBe(before);
	});

	it('refuses a model without a Hugging Face spec, or the wrong input, before any request', async () => {
		const before = fake.requests.length;
		const bare = { ...catalogued(WHISPER), huggingface: undefined } as unknown as ModelInfo;
		expect((await failure(invoke(bare, audio))).kind).toBe('invalid_input');
		expect((await failure(invoke(catalogued(WHISPER), text('x')))).kind).toBe('invalid_input');
		expect(fake.requests.length).toBe(before);
	});
});

describe('huggingface: availability, asked of the Hub', () => {
	let fake: FakeHuggingFace;
	let platform: Platform;
	let inFlight = 0;
	let mostInFlight = 0;
	const check = (entries: Array<ModelInfo | HuggingFaceEmbedderInfo>, key = KEY) => platform.checkAvailability!(entries, { key, signal: signal() });
	const live = [...HUGGINGFACE_MODELS, ...HUGGINGFACE_EMBEDDERS].filter((m) => !m.deprecated);

	beforeAll(async () => {
		fake = await startFakeHuggingFace({ keys: [KEY] });
		platform = createHuggingFacePlatform(
			{ hfBaseUrl: fake.url },
			{
				fetch: async (input, init) => {
					mostInFlight = Math.max(mostInFlight, ++inFlight);
					try {
						return await fetch(input, init);
					} finally {
						inFlight--;
					}
				}
			}
		);
	});
	afterAll(async () => {
		await fake.close();
	});

	it('finds every offered entry live on its provider, a few requests at a time, with the owner’s token', async () => {
		const before = fake.requests.length;
		fake.delayNext(100, { times: 20 });
		const answers = await check(live);
		expect([...answers.keys()].sort()).toEqual(live.map((m) => m.id).sort());
		for (const [id, answer] of answers) expect(answer, id).toEqual({ available: true });
		const asked = fake.requests.slice(before);
		expect(asked).toHaveLength(live.length);
		expect(asked.every((r) => r.headers.authorization === `Bearer ${KEY}` && r.query.get('expand[]') === 'inferenceProviderMapping')).toBe(true);
		expect(mostInFlight).toBeLessThanOrEqual(3);
		expect(mostInFlight).toBeGreaterThan(1);
	});

	it('says why a retired entry is unavailable', async () => {
		const retired = [...HUGGINGFACE_MODELS, ...HUGGINGFACE_EMBEDDERS].filter((m) => m.deprecated);
		const answers = await check(retired);
		expect(answers.get('huggingface/HuggingFaceTB/SmolLM3-3B')).toEqual({
			available: false,
			reason: "Hugging Face's hf-inference route no longer serves HuggingFaceTB/SmolLM3-3B."
		});
		expect([...answers.values()].every((a) => !a.available && a.reason)).toBe(true);
	});

	it('asks again each time: a mapping removed or put back to staging shows at once', async () => {
		fake.retire('openai/gpt-oss-20b', 'groq');
		fake.setStatus('google/gemma-4-31B-it', 'novita', 'staging');
		const answers = await check([catalogued(GPT_OSS), catalogued(GEMMA)]);
		expect(answers.get(GPT_OSS)).toEqual({ available: false, reason: "Hugging Face's groq route no longer serves openai/gpt-oss-20b." });
		expect(answers.get(GEMMA)).toEqual({
			available: false,
			reason: "google/gemma-4-31B-it is only staging on Hugging Face's novita route (for the provider's tests), not live."
		});
	});

	it('names a task mismatch and an unknown repository', async () => {
		const other = await startFakeHuggingFace({
			keys: [KEY],
			served: { 'openai/whisper-large-v3': { mappings: [{ provider: 'hf-inference', providerId: 'openai/whisper-large-v3', task: 'text-to-speech', status: 'live' }], gone: [], source: 'test' } }
		});
		try {
			const elsewhere = createHuggingFacePlatform({ hfBaseUrl: other.url });
			const ghost = { ...catalogued(FLUX), id: 'huggingface/nobody/nothing', huggingface: { ...catalogued(FLUX).huggingface, repo: 'nobody/nothing' } };
			const answers = await elsewhere.checkAvailability!([catalogued(WHISPER), ghost], { key: KEY, signal: signal() });
			expect(answers.get(WHISPER)?.reason).toBe("Hugging Face's hf-inference route serves openai/whisper-large-v3 for text-to-speech, not for automatic-speech-recognition.");
			expect(answers.get('huggingface/nobody/nothing')?.reason).toBe('Hugging Face no longer has a model named nobody/nothing.');
		} finally {
			await other.close();
		}
	});

	it('throws auth for a refused key and unavailable when the Hub fails', async () => {
		await expect(check([catalogued(WHISPER)], 'hf_NotKnown000000000000000000000000')).rejects.toMatchObject({ kind: 'auth' });
		await expect(check([catalogued(WHISPER)], 'not-an-hf-token')).rejects.toMatchObject({ kind: 'auth' });
		fake.failNext(500, { route: 'GET /api/models/:owner/:name' });
		await expect(check([catalogued(WHISPER)])).rejects.toMatchObject({ kind: 'unavailable' });
	});
});

/** What is wrong with an entry against the table of what Hugging Face serves (empty: nothing). */
function servedProblems(entry: HuggingFaceModelInfo | HuggingFaceEmbedderInfo, table: Readonly<Record<string, ServedModel>>): string[] {
	const { repo, task, providers } = entry.huggingface;
	const row = table[repo];
	if (!row) return [`${entry.id}: ${repo} is not in the table of served models`];
	const problems: string[] = [];
	const hubTask = HUB_TASK[task];
	for (const provider of providers) {
		const mapping = row.mappings.find((m) => m.provider === provider && m.task === hubTask);
		const gone = row.gone.find((m) => m.provider === provider && m.task === hubTask);
		if (entry.deprecated ? !mapping && !gone : mapping?.status !== 'live') problems.push(`${entry.id}: ${provider} does not serve ${repo} for ${hubTask}`);
	}
	return problems;
}

describe('huggingface: curated catalogue', () => {
	const all: Array<HuggingFaceModelInfo | HuggingFaceEmbedderInfo> = [...HUGGINGFACE_MODELS, ...HUGGINGFACE_EMBEDDERS];

	it('names only models the table says Hugging Face serves (retired ones: served once), on those providers', () => {
		expect(all.flatMap((entry) => servedProblems(entry, SERVED))).toEqual([]);
	});

	it('fails for an entry outside the table, or on a provider the table does not list', () => {
		const outside = { ...catalogued(GPT_OSS), id: 'huggingface/someone/new-model', huggingface: { ...catalogued(GPT_OSS).huggingface, repo: 'someone/new-model' } };
		expect(servedProblems(outside, SERVED)).toEqual(['huggingface/someone/new-model: someone/new-model is not in the table of served models']);
		const elsewhere = { ...catalogued(GPT_OSS), huggingface: { ...catalogued(GPT_OSS).huggingface, providers: ['groq', 'together'] as const } };
		expect(servedProblems(elsewhere, SERVED)).toEqual([`${GPT_OSS}: together does not serve openai/gpt-oss-20b for conversational`]);
	});

	it('has unique ids made of the repo, Hub homepages, pricing, a confirmed date and the provider setting', () => {
		expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
		for (const m of all) {
			expect(m.platform).toBe('huggingface');
			expect(m.id).toBe(`huggingface/${m.huggingface.repo}`);
			expect(m.homepage).toBe(`https://huggingface.co/${m.huggingface.repo}`);
			expect(m.pricing).toMatch(/Hugging Face/);
			expect(m.confirmed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			const { provider, providers, task } = m.huggingface;
			expect(providers[0]).toBe(provider);
			for (const p of providers) expect(CALLABLE_PROVIDERS[task]).toContain(p);
		}
		for (const m of HUGGINGFACE_MODELS) {
			expect(m.params?.[0]).toMatchObject({ key: 'provider', kind: 'choice', options: m.huggingface.providers, default: m.huggingface.provider });
			if (m.deprecated) expect(m.description).toMatch(/Retired: /);
		}
	});

	it('gives every setting a default it accepts, and no setting twice', () => {
		for (const m of HUGGINGFACE_MODELS) {
			const keys = (m.params ?? []).map((p) => p.key);
			expect(new Set(keys).size, m.id).toBe(keys.length);
			for (const spec of m.params ?? []) if (spec.default !== undefined) expect(acceptsValue(spec, spec.default), `${m.id} ${spec.key}`).toBe(true);
		}
	});

	it('offers every direction Hugging Face serves today, and no speech model until one is confirmed', () => {
		const offered = HUGGINGFACE_MODELS.filter((m) => !m.deprecated);
		expect(new Set(offered.map((m) => `${m.input}→${m.output}`))).toEqual(new Set(['text→text', 'image→text', 'text→image', 'image→image', 'audio→text']));
		expect(HUGGINGFACE_EMBEDDERS.filter((e) => !e.deprecated).map((e) => [e.input, e.dimensions])).toEqual([['text', 1024]]);
		expect(HUGGINGFACE_MODELS.filter((m) => m.deprecated).map((m) => m.huggingface.repo).sort()).toEqual([
			'HuggingFaceTB/SmolLM3-3B',
			'Salesforce/blip-image-captioning-large',
			'facebook/mms-tts-eng',
			'nlpconnect/vit-gpt2-image-captioning',
			'stabilityai/stable-diffusion-xl-base-1.0',
			'timbrooks/instruct-pix2pix'
		]);
	});
});

describe('huggingface: the fake serves only its table', () => {
	let fake: FakeHuggingFace;
	beforeAll(async () => {
		fake = await startFakeHuggingFace({ keys: [KEY] });
	});
	afterAll(async () => {
		await fake.close();
	});
	const post = (path: string, body: unknown) =>
		fetch(`${fake.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

	it('answers the Hub mapping request from the table, 404 for unknown repos', async () => {
		const known = await fetch(`${fake.url}/api/models/openai/gpt-oss-20b?expand[]=inferenceProviderMapping`);
		expect((await known.json()).inferenceProviderMapping).toEqual([
			{ provider: 'groq', hfModelId: 'openai/gpt-oss-20b', providerId: 'openai/gpt-oss-20b', status: 'live', task: 'conversational' },
			{ provider: 'ovhcloud', hfModelId: 'openai/gpt-oss-20b', providerId: 'gpt-oss-20b', status: 'live', task: 'conversational' }
		]);
		expect((await fetch(`${fake.url}/api/models/nobody/nothing`)).status).toBe(404);
	});

	it('is the only place the client reaches: a provider’s own API (a non-hf_ key’s route) is refused, not fetched', async () => {
		const before = fake.requests.length;
		const client = createHfInferenceClient('gsk_a_groq_key_000000000000000000', { hfBaseUrl: fake.url }, { retry_on_error: false });
		await expect(client.chatCompletion({ model: 'openai/gpt-oss-20b', provider: 'groq', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(
			/Refused to fetch https:\/\/api\.groq\.com/
		);
		// At most the Hub look-up (redirected to the fake; the client may have it cached) went out.
		expect(fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
	});

	it('refuses a model its provider does not serve, as that provider does', async () => {
		const groq = await post('/router/groq/openai/v1/chat/completions', { model: 'google/gemma-4-31b-it', messages: [] });
		expect(groq.status).toBe(404);
		expect((await groq.json()).error.code).toBe('model_not_found');
		const replicate = await post('/router/replicate/v1/models/black-forest-labs/flux-schnell/predictions', { input: {} });
		expect(await replicate.json()).toEqual({ detail: 'The requested resource could not be found.', status: 404 });
		fake.creditsExhausted = true;
		const broke = await post('/router/groq/openai/v1/chat/completions', { model: 'openai/gpt-oss-20b', messages: [] });
		fake.creditsExhausted = false;
		expect(broke.status).toBe(402);
		expect(await broke.json()).toEqual({ error: HF_NO_CREDIT_MESSAGE });
	});
});
