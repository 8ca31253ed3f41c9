/**
 * The Hugging Face adapter against the fake Hub + router, through the real
 * `@huggingface/inference` client over HTTP: the shared platform contract, then one check
 * per task (what reaches the router, what comes back), cold models, safety and the catalogue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlatformContract } from './contract';
import { startFakeHuggingFace, type FakeHfTask, type FakeHuggingFace } from '../fakes/fake-huggingface';
import { createHuggingFacePlatform } from '../../server/platforms/huggingface/platform';
import {
	HUGGINGFACE_EMBEDDERS,
	HUGGINGFACE_MODELS,
	type HuggingFaceModelInfo,
	type HuggingFaceTask
} from '../../server/platforms/huggingface/models';
import { PlatformError, type Platform } from '../../server/platforms/platform';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import type { ModelInfo, Payload } from '../../server/platforms/types';

const KEY = 'hf_PanicTest0123456789abcdefghijklmn';

const HUB_TASK: Record<HuggingFaceTask, FakeHfTask> = {
	'image-to-text': 'image-to-text',
	'automatic-speech-recognition': 'automatic-speech-recognition',
	'text-to-speech': 'text-to-speech',
	'text-to-image': 'text-to-image',
	'image-to-image': 'image-to-image',
	'chat-completion': 'conversational',
	'feature-extraction': 'feature-extraction'
};

const served = Object.fromEntries(
	[...HUGGINGFACE_MODELS, ...HUGGINGFACE_EMBEDDERS].map((m) => [m.huggingface.repo, HUB_TASK[m.huggingface.task]])
);

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

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof PlatformError) return error;
		throw error;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

describePlatformContract('huggingface', async () => {
	const fake = await startFakeHuggingFace({ keys: [KEY], models: served });
	return {
		platform: createHuggingFacePlatform({ hfBaseUrl: fake.url }),
		fake,
		key: KEY,
		model: catalogued('huggingface/Salesforce/blip-image-captioning-large'),
		input: image,
		route: 'POST /router/hf-inference/models/:owner/:name',
		refuseNext: () => fake.refuseNext(),
		malformNext: () => fake.malformNext(),
		close: () => fake.close()
	};
});

describe('huggingface: tasks', () => {
	let fake: FakeHuggingFace;
	let platform: Platform;
	const invoke = (model: ModelInfo, input: Payload, params: Record<string, unknown> = {}) =>
		platform.invoke(model, input, { signal: new AbortController().signal, key: KEY, params });
	const lastPost = () => fake.requests.filter((r) => r.method === 'POST').at(-1)!;

	beforeAll(async () => {
		fake = await startFakeHuggingFace({ keys: [KEY], models: served });
		platform = createHuggingFacePlatform({ hfBaseUrl: fake.url });
	});
	afterAll(async () => {
		await fake.close();
	});

	it('captions an image sent as the raw request body', async () => {
		const result = await invoke(catalogued('huggingface/nlpconnect/vit-gpt2-image-captioning'), image);
		expect(result.output).toEqual({ kind: 'text', text: `a picture of ${png.byteLength} bytes` });
		const sent = lastPost();
		expect(sent.path).toBe('/router/hf-inference/models/nlpconnect/vit-gpt2-image-captioning');
		expect(new Uint8Array(sent.rawBody)).toEqual(png);
		expect(sent.headers['content-type']).toBe('image/png');
		expect(result.metrics?.elapsedSeconds).toBeGreaterThanOrEqual(0);
		expect(result.costUsd).toBeUndefined();
	});

	it('asks the Hub for the provider mapping once per model (the library caches it)', async () => {
		const model = catalogued('huggingface/nlpconnect/vit-gpt2-image-captioning');
		await invoke(model, image);
		const lookups = fake.requests.filter((r) => r.path === '/api/models/nlpconnect/vit-gpt2-image-captioning');
		expect(lookups).toHaveLength(1);
		expect(lookups[0].query.get('expand[]')).toBe('inferenceProviderMapping');
	});

	it('transcribes audio sent as the raw request body', async () => {
		const result = await invoke(catalogued('huggingface/openai/whisper-large-v3'), audio);
		expect(result.output).toEqual({ kind: 'text', text: `words heard in ${wav.byteLength} bytes` });
		const sent = lastPost();
		expect(sent.path).toBe('/router/hf-inference/models/openai/whisper-large-v3');
		expect(new Uint8Array(sent.rawBody)).toEqual(wav);
	});

	it('speaks text and returns the WAV bytes', async () => {
		const result = await invoke(catalogued('huggingface/facebook/mms-tts-eng'), text('hello loop'));
		expect(result.output.kind).toBe('audio');
		if (result.output.kind === 'audio') expect(result.output.mime).toBe('audio/wav');
		expect(JSON.parse(lastPost().body)).toEqual({ inputs: 'hello loop' });
		expect(result.metrics?.characters).toBe(10);
	});

	it('paints text with the defaults and the node’s parameters, dropping unknown ones', async () => {
		const model = catalogued('huggingface/black-forest-labs/FLUX.1-schnell');
		const result = await invoke(model, text('a red square'), { seed: 7, colour: 'never sent' });
		expect(result.output.kind).toBe('image');
		if (result.output.kind === 'image') expect(result.output.mime).toBe('image/png');
		expect(result.requestId).toBe('hf-req-1');
		const sent = lastPost();
		expect(sent.path).toBe('/router/hf-inference/models/black-forest-labs/FLUX.1-schnell');
		expect(JSON.parse(sent.body)).toEqual({ inputs: 'a red square', parameters: { num_inference_steps: 4, seed: 7 } });
	});

	it('edits an image: the bytes travel base64 in JSON beside the prompt', async () => {
		const model = catalogued('huggingface/timbrooks/instruct-pix2pix');
		const result = await invoke(model, image, { prompt: 'make it snow' });
		expect(result.output.kind).toBe('image');
		const body = JSON.parse(lastPost().body) as { inputs: string; parameters: Record<string, unknown> };
		expect(new Uint8Array(Buffer.from(body.inputs, 'base64'))).toEqual(png);
		expect(body.parameters).toEqual({ prompt: 'make it snow', num_inference_steps: 20 });
	});

	it('chats with a system prompt, a fixed token cap and usage metrics, without the model’s thinking', async () => {
		const model = catalogued('huggingface/HuggingFaceTB/SmolLM3-3B');
		const result = await invoke(model, text('the sea'), { max_tokens: 5000, temperature: 0.2 });
		expect(result.output).toEqual({ kind: 'text', text: 'An answer to: the sea' });
		expect(result.metrics).toMatchObject({ inputTokens: 12, outputTokens: 7, totalTokens: 19 });
		const sent = lastPost();
		expect(sent.path).toBe('/router/hf-inference/models/HuggingFaceTB/SmolLM3-3B/v1/chat/completions');
		const body = JSON.parse(sent.body);
		expect(body).toMatchObject({ model: 'HuggingFaceTB/SmolLM3-3B', max_tokens: 300, temperature: 0.2 });
		expect(body.messages).toEqual([
			{ role: 'system', content: model.defaults.system },
			{ role: 'user', content: 'the sea' }
		]);
	});

	it('embeds text as a 384-number vector', async () => {
		const embedder = HUGGINGFACE_EMBEDDERS[0];
		const result = await platform.embed!(embedder, text('a loop'), { signal: new AbortController().signal, key: KEY, params: {} });
		expect(result.vector).toHaveLength(384);
		expect(lastPost().path).toBe('/router/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction');
		expect(JSON.parse(lastPost().body)).toEqual({ inputs: 'a loop' });
	});

	it('reports a malformed embedding as invalid output', async () => {
		fake.malformNext();
		const e = await failure(platform.embed!(HUGGINGFACE_EMBEDDERS[0], text('x'), { signal: new AbortController().signal, key: KEY, params: {} }));
		expect(e.kind).toBe('invalid_output');
	});

	it('reports a cold model as unavailable, retryable after its estimated load time, with one request', async () => {
		const before = fake.requests.length;
		fake.loadingNext();
		const e = await failure(invoke(catalogued('huggingface/stabilityai/stable-diffusion-xl-base-1.0'), text('x')));
		expect(e.kind).toBe('unavailable');
		expect(e.retryable).toBe(true);
		expect(e.retryAfterMs).toBe(20_000);
		expect(e.status).toBe(503);
		expect(fake.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('reports a safety refusal on image output as such', async () => {
		fake.refuseNext();
		const e = await failure(invoke(catalogued('huggingface/black-forest-labs/FLUX.1-schnell'), text('x')));
		expect(e.kind).toBe('safety');
	});

	it('reports JSON where an image was expected, and chat without content, as invalid output', async () => {
		fake.malformNext();
		expect((await failure(invoke(catalogued('huggingface/timbrooks/instruct-pix2pix'), image))).kind).toBe('invalid_output');
		fake.malformNext();
		expect((await failure(invoke(catalogued('huggingface/HuggingFaceTB/SmolLM3-3B'), text('x')))).kind).toBe('invalid_output');
		fake.malformNext();
		expect((await failure(invoke(catalogued('huggingface/openai/whisper-large-v3'), audio))).kind).toBe('invalid_output');
	});

	it('refuses a model without a Hugging Face spec, or the wrong input, before any request', async () => {
		const before = fake.requests.length;
		const bare: ModelInfo = { ...catalogued('huggingface/openai/whisper-large-v3'), huggingface: undefined } as unknown as ModelInfo;
		expect((await failure(invoke(bare, audio))).kind).toBe('invalid_input');
		expect((await failure(invoke(catalogued('huggingface/openai/whisper-large-v3'), text('x')))).kind).toBe('invalid_input');
		expect(fake.requests.length).toBe(before);
	});

	it('reports a model the Hub does not know as invalid input', async () => {
		const unknown = { ...catalogued('huggingface/openai/whisper-large-v3') };
		unknown.huggingface = { ...unknown.huggingface, repo: 'nobody/nothing' };
		expect((await failure(invoke(unknown, audio))).kind).toBe('invalid_input');
	});
});

describe('huggingface: curated catalogue', () => {
	const all = [...HUGGINGFACE_MODELS, ...HUGGINGFACE_EMBEDDERS];

	it('has unique ids made of the repo, with Hub homepages and pricing', () => {
		expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
		for (const m of all) {
			expect(m.platform).toBe('huggingface');
			expect(m.id).toBe(`huggingface/${m.huggingface.repo}`);
			expect(m.homepage).toBe(`https://huggingface.co/${m.huggingface.repo}`);
			expect(m.huggingface.provider).toBe('hf-inference');
			expect(m.pricing).toMatch(/Hugging Face/);
		}
	});

	it('covers every direction PANIC wires through Hugging Face', () => {
		const directions = new Set(HUGGINGFACE_MODELS.map((m) => `${m.input}→${m.output}`));
		for (const d of ['image→text', 'audio→text', 'text→audio', 'text→image', 'image→image', 'text→text']) expect(directions).toContain(d);
		expect(HUGGINGFACE_MODELS.length).toBeGreaterThanOrEqual(7);
		expect(HUGGINGFACE_EMBEDDERS.find((e) => e.input === 'text')?.dimensions).toBe(384);
	});
});
