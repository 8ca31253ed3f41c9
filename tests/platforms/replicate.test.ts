/**
 * The Replicate adapter against the fake Replicate over real HTTP: the shared platform
 * contract, then what only Replicate has (versions, polling, cancelling, per-second
 * billing, schema inference for models a user adds) and the curated catalogue.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError, type Platform } from '../../server/platforms/platform';
import type { Payload } from '../../server/shared/platforms/types';
import { createReplicatePlatform, type ReplicatePlatformOptions } from '../../server/platforms/replicate/platform';
import { REPLICATE_EMBEDDERS, REPLICATE_MODELS } from '../../server/platforms/replicate/models';
import { replicateEmbedSpecSchema, replicateSpecSchema, type ReplicateModelInfo } from '../../server/platforms/replicate/spec';
import { describeReplicateModel, proposeMapping } from '../../server/platforms/replicate/schema';
import { fakeVersionId, startFakeReplicate, type FakeReplicate } from '../fakes/fake-replicate';
import { tinyPng, tinyWav } from '../fakes/fake-replicate-models';
import {
	BARK_SCHEMA,
	FLUX_SCHNELL_SCHEMA,
	LLAVA_SCHEMA,
	MUSICGEN_SCHEMA,
	UNUSABLE_SCHEMA,
	VIDEO_SCHEMA,
	WHISPER_SCHEMA
} from '../fakes/fake-replicate-schemas';
import { describePlatformContract } from './contract';
import { CLIP_EMBEDDINGS_VERSION, FLUX_ASPECT_RATIOS, servedModel, WHISPER_VERSION } from '../../server/platforms/replicate/served';
import { MAX_DATA_URI_BYTES } from '../../server/platforms/replicate/files';

const KEY = 'r8_test_key_0123456789abcdefghij';
const model = (ref: string): ReplicateModelInfo => {
	const found = REPLICATE_MODELS.find((m) => m.replicate.model === ref);
	if (!found) throw new Error(`no curated model ${ref}`);
	return found;
};
const text = (value: string): Payload => ({ kind: 'text', text: value });
const image: Payload = { kind: 'image', bytes: tinyPng(7), mime: 'image/png' };
const audio: Payload = { kind: 'audio', bytes: tinyWav(), mime: 'audio/wav' };
const never = () => new AbortController().signal;
const invoke = (p: Platform, ref: string, input: Payload, signal = never(), params = {}) => p.invoke(model(ref), input, { signal, key: KEY, params });

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
	try {
		await promise;
	} catch (error) {
		return error as PlatformError;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

describePlatformContract('replicate', async () => {
	const fake = await startFakeReplicate({ keys: [KEY] });
	return {
		platform: createReplicatePlatform({ replicateBaseUrl: fake.baseUrl }, { pollIntervalMs: 20 }),
		fake,
		key: KEY,
		model: model('black-forest-labs/flux-schnell'),
		input: text('a red fox in the snow'),
		route: 'POST /v1/models/:owner/:name/predictions',
		refuseNext: () => fake.refuseNext(),
		malformNext: () => fake.malformNext(),
		close: () => fake.close()
	};
});

describe('replicate adapter', () => {
	let fake: FakeReplicate;
	/** When each request left the adapter, to measure the sleeps between polls. */
	let sent: Array<{ url: string; at: number }>;
	const platform = (options: ReplicatePlatformOptions = {}): Platform =>
		createReplicatePlatform(
			{ replicateBaseUrl: fake.baseUrl },
			{
				pollIntervalMs: 20,
				...options,
				fetch: (input, init) => {
					sent.push({ url: String(input instanceof Request ? input.url : input), at: Date.now() });
					return fetch(input, init);
				}
			}
		);

	beforeAll(async () => {
		fake = await startFakeReplicate({ keys: [KEY] });
	});
	afterAll(() => fake.close());

	it('runs an official text→image model in one request on the models route, with bearer auth and Prefer: wait', async () => {
		sent = [];
		const before = fake.requests.length;
		const result = await invoke(platform(), 'black-forest-labs/flux-schnell', text('a lighthouse'));
		expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
		const api = fake.requests.slice(before).filter((r) => r.path.startsWith('/v1/'));
		expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/models/black-forest-labs/flux-schnell/predictions']);
		expect(api[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(api[0].headers.prefer).toBe('wait=10');
		// What the entry fixes, then its settings' defaults: only inputs flux-schnell takes.
		expect(JSON.parse(api[0].body)).toEqual({
			input: { prompt: 'a lighthouse', output_format: 'png', num_outputs: 1, aspect_ratio: '1:1', num_inference_steps: 4, megapixels: '1', go_fast: true }
		});
		expect(fake.predictions.has(result.requestId!)).toBe(true);
		// The output file is fetched without the key: it is a delivery URL, not the API.
		const download = fake.requests.slice(before).find((r) => r.path.startsWith('/files/'));
		expect(download?.headers.authorization).toBeUndefined();
		expect(result.costUsd).toBeCloseTo(0.003, 9);
		expect(result.metrics).toMatchObject({ outputCount: 1, predictTimeSeconds: 1.5 });
	});

	it('runs a community image→text model on its latest version, sending the image as a data URI', async () => {
		const p = platform();
		const before = fake.requests.length;
		const result = await invoke(p, 'salesforce/blip', image);
		expect(result.output.kind).toBe('text');
		if (result.output.kind === 'text') expect(result.output.text).toMatch(/^a small picture sent as image\/png/);
		const api = fake.requests.slice(before).filter((r) => r.path.startsWith('/v1/'));
		expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models/salesforce/blip', 'POST /v1/predictions']);
		const body = JSON.parse(api[1].body);
		expect(body.version).toBe(fakeVersionId('salesforce/blip'));
		expect(body.input.image).toMatch(/^data:image\/png;base64,/);
		expect(Buffer.from(body.input.image.split(',')[1], 'base64')).toEqual(Buffer.from(image.kind === 'image' ? image.bytes : []));
		expect(api[1].body).not.toContain('http://127.0.0.1');
		expect(result.costUsd).toBeCloseTo(1.5 * 0.000225, 9);

		// The latest version is looked up once per process, not per call.
		const again = fake.requests.length;
		await invoke(p, 'salesforce/blip', image);
		expect(fake.requests.slice(again).filter((r) => r.path === '/v1/models/salesforce/blip')).toHaveLength(0);
	});

	it('runs every curated model against the fake, with the output modality it promises', async () => {
		const p = platform();
		const inputs: Record<string, Payload> = { text: text('a quiet harbour at dawn'), image, audio };
		for (const m of REPLICATE_MODELS) {
			const result = await p.invoke(m, inputs[m.input], { signal: never(), key: KEY, params: {} });
			expect(result.output.kind, m.id).toBe(m.output);
			expect(result.requestId, m.id).toBeTruthy();
		}
	});

	it('sends fixed inputs and the settings the model takes, with the payload last; other node params are dropped', async () => {
		const before = fake.requests.length;
		await invoke(platform(), 'meta/musicgen', text('calm strings'), never(), { duration: 3, prompt: 'ignored', output_format: 'mp3', style: 'jazz' });
		const create = fake.requests.slice(before).find((r) => r.path === '/v1/predictions');
		expect(JSON.parse(create!.body).input).toEqual({
			output_format: 'wav',
			model_version: 'stereo-melody-large',
			normalization_strategy: 'peak',
			duration: 3,
			temperature: 1,
			prompt: 'calm strings'
		});
	});

	it('refuses a setting outside what the model takes before any request, naming it', async () => {
		const before = fake.requests.length;
		const error = await failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('x'), never(), { num_inference_steps: 9 }));
		expect(error.kind).toBe('invalid_input');
		expect(error.message).toMatch(/“Steps”: it takes a whole number from 1 to 4/);
		expect(fake.requests.length).toBe(before);
	});

	it('estimates token-billed cost from the token counts Replicate reports', async () => {
		const result = await invoke(platform(), 'meta/meta-llama-3-8b-instruct', text('one two three'));
		expect(result.output).toEqual({ kind: 'text', text: 'You said: one two three' });
		expect(result.metrics).toMatchObject({ inputTokens: 3, outputTokens: 12 });
		expect(result.costUsd).toBeCloseTo((3 * 0.05 + 12 * 0.25) / 1e6, 12);
	});

	it('polls a slow prediction, sleeping between polls', async () => {
		sent = [];
		fake.slowNext(3);
		const result = await invoke(platform({ pollIntervalMs: 50, maxPollIntervalMs: 60 }), 'black-forest-labs/flux-schnell', text('slow'));
		expect(result.output.kind).toBe('image');
		expect(fake.pollsOf(result.requestId!)).toBe(3);
		const api = sent.filter((s) => s.url.includes('/v1/'));
		expect(api).toHaveLength(4);
		for (let i = 1; i < api.length; i++) expect(api[i].at - api[i - 1].at).toBeGreaterThanOrEqual(49);
	});

	it('rides out a failed poll (one request, paced by Retry-After) instead of starting a second prediction', async () => {
		sent = [];
		fake.slowNext(3);
		fake.failNext(503, { route: 'GET /v1/predictions/:id', headers: { 'retry-after': '0' } });
		const result = await invoke(platform(), 'black-forest-labs/flux-schnell', text('flaky'));
		expect(result.output.kind).toBe('image');
		expect(fake.pollsOf(result.requestId!)).toBe(4);
		expect(sent.filter((s) => s.url.endsWith('/predictions'))).toHaveLength(1);
	});

	it('cancels the prediction when a poll fails for good', async () => {
		fake.slowNext(Infinity);
		fake.failNext(401, { route: 'GET /v1/predictions/:id' });
		const error = await failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('revoked')));
		expect(error.kind).toBe('auth');
		expect(error.requestId).toBeTruthy();
		expect(fake.cancels).toContain(error.requestId);
	});

	it('gives up after pollTimeoutMs with a timeout, and cancels the prediction', async () => {
		fake.slowNext(Infinity);
		const error = await failure(invoke(platform({ pollTimeoutMs: 200 }), 'black-forest-labs/flux-schnell', text('forever')));
		expect(error).toBeInstanceOf(PlatformError);
		expect(error.kind).toBe('timeout');
		expect(error.requestId).toBeTruthy();
		expect(fake.cancels).toContain(error.requestId);
		expect(fake.predictions.get(error.requestId!)?.status).toBe('canceled');
	});

	it('cancels the prediction once and rejects with the reason when the run stops mid-poll', async () => {
		fake.slowNext(Infinity);
		const controller = new AbortController();
		const reason = new Error('run stopped');
		const pending = failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('stop me'), controller.signal));
		const id = await waitFor(() => [...fake.predictions.values()].find((p) => p.input.prompt === 'stop me' && p.gets >= 2)?.id);
		controller.abort(reason);
		expect(await pending).toBe(reason);
		expect(fake.cancels.filter((c) => c === id)).toHaveLength(1);
		const polls = fake.pollsOf(id);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(fake.pollsOf(id)).toBe(polls);
	});

	it('reports a failed prediction as a non-retryable error with a cleaned, short message', async () => {
		fake.failPredictionNext(`CUDA out of memory while loading https://weights.example/x.bin with ${KEY} ${'x'.repeat(400)}`);
		const error = await failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('oom')));
		expect(error.kind).toBe('other');
		expect(error.retryable).toBe(false);
		expect(error.message).toMatch(/^black-forest-labs\/flux-schnell failed on Replicate: CUDA out of memory/);
		expect(error.message).not.toMatch(/https|r8_/);
		expect(error.message.length).toBeLessThanOrEqual(200);
		expect(error.requestId).toBeTruthy();
	});

	it('treats an unparseable body as invalid output', async () => {
		fake.failNext(200, { route: 'POST /v1/models/:owner/:name/predictions', body: 'not json' });
		expect((await failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('x')))).kind).toBe('invalid_output');
		fake.failNext(201, { route: 'POST /v1/models/:owner/:name/predictions', body: { hello: 'world' } });
		expect((await failure(invoke(platform(), 'black-forest-labs/flux-schnell', text('x')))).kind).toBe('invalid_output');
	});

	it('refuses to run a model without valid Replicate settings, or with the wrong input', async () => {
		const p = platform();
		const { replicate: _, ...bare } = model('salesforce/blip');
		const missing = await failure(p.invoke(bare, image, { signal: never(), key: KEY, params: {} }));
		expect(missing.kind).toBe('invalid_input');
		expect(missing.message).toMatch(/no usable Replicate settings/);
		const broken = { ...model('salesforce/blip'), replicate: { ...model('salesforce/blip').replicate, model: '../etc' } };
		expect((await failure(p.invoke(broken, image, { signal: never(), key: KEY, params: {} }))).kind).toBe('invalid_input');
		expect((await failure(invoke(p, 'salesforce/blip', text('not an image')))).kind).toBe('invalid_input');
		expect((await failure(p.invoke(model('salesforce/blip'), image, { signal: never(), params: {} }))).kind).toBe('auth');
	});

	it('embeds text and images with CLIP embeddings (pinned version) into one 768-dimensional space, the image as a file input', async () => {
		const p = platform();
		const embedder = (id: string) => REPLICATE_EMBEDDERS.find((e) => e.id === id)!;
		const before = fake.requests.length;
		const t = await p.embed!(embedder('replicate/krthr/clip-embeddings/text'), text('two\nlines'), { signal: never(), key: KEY, params: {} });
		const i = await p.embed!(embedder('replicate/krthr/clip-embeddings/image'), image, { signal: never(), key: KEY, params: {} });
		expect(t.vector).toHaveLength(768);
		expect(i.vector).toHaveLength(768);
		const api = fake.requests.slice(before).filter((r) => r.path.startsWith('/v1/'));
		// Pinned: no model lookup, straight to the version.
		expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/predictions', 'POST /v1/predictions']);
		const bodies = api.map((r) => JSON.parse(r.body));
		expect(bodies.map((b) => b.version)).toEqual([CLIP_EMBEDDINGS_VERSION, CLIP_EMBEDDINGS_VERSION]);
		expect(bodies[0].input).toEqual({ text: 'two\nlines' });
		expect(Object.keys(bodies[1].input)).toEqual(['image']);
		expect(bodies[1].input.image).toMatch(/^data:image\/png;base64,/);
		expect(t.costUsd).toBeCloseTo(1.5 * 0.000225, 9);
	});

	it('keeps the old CLIP features ids: text still on clip-features (one line), image now on CLIP embeddings', async () => {
		const p = platform();
		const embedder = (id: string) => REPLICATE_EMBEDDERS.find((e) => e.id === id)!;
		expect(embedder('replicate/andreasjansson/clip-features/text').deprecated).toBe(true);
		expect(embedder('replicate/andreasjansson/clip-features/image').deprecated).toBe(true);
		const before = fake.requests.length;
		await p.embed!(embedder('replicate/andreasjansson/clip-features/text'), text('two\nlines'), { signal: never(), key: KEY, params: {} });
		await p.embed!(embedder('replicate/andreasjansson/clip-features/image'), image, { signal: never(), key: KEY, params: {} });
		const creates = fake.requests.slice(before).filter((r) => r.path === '/v1/predictions').map((r) => JSON.parse(r.body));
		expect(creates[0]).toMatchObject({ version: fakeVersionId('andreasjansson/clip-features'), input: { inputs: 'two lines' } });
		expect(creates[1]).toMatchObject({ version: CLIP_EMBEDDINGS_VERSION });
		expect(creates[1].input.image).toMatch(/^data:image\/png;base64,/);
	});

	it('runs a model a user added through describeReplicateModel', async () => {
		const info = await describeReplicateModel(KEY, { replicateBaseUrl: fake.baseUrl }, 'yorickvp/llava-13b', never());
		const result = await platform().invoke(info, image, { signal: never(), key: KEY, params: {} });
		expect(result.output.kind).toBe('text');
		expect(result.costUsd).toBeUndefined();
		expect(result.metrics?.predictTimeSeconds).toBe(1.5);
	});
});

describe('replicate adapter: the refreshed catalogue, request by request', () => {
	let fake: FakeReplicate;
	const p = () => createReplicatePlatform({ replicateBaseUrl: fake.baseUrl }, { pollIntervalMs: 20 });
	beforeAll(async () => {
		fake = await startFakeReplicate({ keys: [KEY] });
	});
	afterAll(() => fake.close());

	/** The one prediction create a call made, checked to send only inputs the served model takes. */
	function createOf(before: number, ref: string) {
		const creates = fake.requests.slice(before).filter((r) => r.method === 'POST' && /^\/v1\/(models\/.+\/)?predictions$/.test(r.path));
		expect(creates).toHaveLength(1);
		const body = JSON.parse(creates[0].body) as { version?: string; input: Record<string, unknown> };
		const served = servedModel(ref, body.version === fakeVersionId(ref) ? undefined : body.version)!;
		expect(served, ref).toBeDefined();
		for (const key of Object.keys(body.input)) expect(served.inputs, `${ref} takes ${key}`).toHaveProperty(key);
		return { path: creates[0].path, ...body };
	}

	it.each([
		[
			'black-forest-labs/flux-kontext-pro',
			image,
			{ prompt: 'Make it night' },
			'/v1/models/black-forest-labs/flux-kontext-pro/predictions',
			{ prompt: 'Make it night', output_format: 'png', aspect_ratio: 'match_input_image', safety_tolerance: 2, prompt_upsampling: false }
		],
		[
			'minimax/speech-02-turbo',
			text('Hello there.'),
			{ voice_id: 'Deep_Voice_Man', speed: 1.5 },
			'/v1/models/minimax/speech-02-turbo/predictions',
			{ text: 'Hello there.', voice_id: 'Deep_Voice_Man', emotion: 'auto', speed: 1.5, pitch: 0, volume: 1 }
		],
		[
			'meta/meta-llama-3-8b-instruct',
			text('hi'),
			{ system_prompt: 'Answer in one line.' },
			'/v1/models/meta/meta-llama-3-8b-instruct/predictions',
			{ prompt: 'hi', system_prompt: 'Answer in one line.', max_tokens: 512, temperature: 0.6, top_p: 0.9 }
		],
		['lucataco/moondream2', image, {}, '/v1/predictions', { prompt: 'Describe this image.' }],
		['openai/whisper', audio, { language: 'en' }, '/v1/predictions', { transcription: 'plain text', language: 'en', translate: false, temperature: 0 }]
	] as const)('%s: sends its documented shape', async (ref, input, params, path, expected) => {
		const before = fake.requests.length;
		const m = model(ref);
		const result = await p().invoke(m, input, { signal: never(), key: KEY, params });
		expect(result.output.kind).toBe(m.output);
		const create = createOf(before, ref);
		expect(create.path).toBe(path);
		expect(create.input).toMatchObject(expected);
		const payload = create.input[m.replicate.inputField];
		if (input.kind === 'text') expect(payload).toBe(input.text);
		else expect(payload).toMatch(new RegExp(`^data:${input.mime}`));
		if (ref === 'openai/whisper') {
			// Pinned: the version research confirmed, with no lookup of the latest one.
			expect(create.version).toBe(WHISPER_VERSION);
			expect(fake.requests.slice(before).some((r) => r.path === '/v1/models/openai/whisper')).toBe(false);
		}
		if (ref === 'minimax/speech-02-turbo') {
			expect(result.metrics?.characters).toBe(12);
			expect(result.costUsd).toBeCloseTo((12 * 0.015) / 1000, 12);
		}
	});

	it('the fake refuses what real Replicate refuses: webp from Kontext is invalid input, named as PANIC words it', async () => {
		const kontext = model('black-forest-labs/flux-kontext-pro');
		const sloppy = { ...kontext, replicate: { ...kontext.replicate, input: { output_format: 'webp' } } };
		const error = await failure(p().invoke(sloppy, image, { signal: never(), key: KEY, params: {} }));
		expect(error.kind).toBe('invalid_input');
		expect(error.message).toBe('Replicate refused the request (422).');
	});

	it('the fake serves only served models: others 404 with Replicate’s body, removed ones too', async () => {
		for (const ref of ['someone/unheard-of', 'openai/gpt-5-nano']) {
			const res = await fetch(`${fake.baseUrl}/models/${ref}`, { headers: { authorization: `Bearer ${KEY}` } });
			expect(res.status).toBe(404);
			expect(await res.json()).toEqual({ detail: 'The requested resource could not be found.', status: 404 });
		}
		const res = await fetch(`${fake.baseUrl}/predictions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ version: '0'.repeat(64), input: {} })
		});
		expect(res.status).toBe(422);
		expect(await res.json()).toEqual({
			title: 'Invalid version or not permitted',
			detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
			status: 422
		});
	});
});

describe('replicate adapter: Replicate saying no', () => {
	let fake: FakeReplicate;
	const p = () => createReplicatePlatform({ replicateBaseUrl: fake.baseUrl }, { pollIntervalMs: 20 });
	beforeEach(async () => {
		fake = await startFakeReplicate({ keys: [KEY] });
	});
	afterEach(() => fake.close());

	it('a 429 with only retry_after in the body is retryable after that long, with one request sent', async () => {
		fake.throttleNext({ retryAfterBody: 2, route: 'POST /v1/models/:owner/:name/predictions' });
		const error = await failure(invoke(p(), 'black-forest-labs/flux-schnell', text('x')));
		expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 2000 });
		expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
		fake.throttleNext({ detailSeconds: 7 });
		expect((await failure(invoke(p(), 'black-forest-labs/flux-schnell', text('x')))).retryAfterMs).toBe(7000);
	});

	it.each(['billing', 'credit'] as const)('a 402 (%s) is no_credit: it stops the run and tells the owner', async (kind) => {
		fake.paymentRequiredNext({ kind });
		const error = await failure(invoke(p(), 'black-forest-labs/flux-schnell', text('x')));
		expect(error).toMatchObject({ kind: 'no_credit', stopsRun: true, status: 402 });
		expect(error.message).toMatch(/Replicate account has no credit, or billing is not set up/);
		expect(error.message).not.toMatch(/https|purchase/);
	});

	it('a removed official model is model_gone, not invalid input', async () => {
		fake.removeModel('black-forest-labs/flux-schnell');
		const error = await failure(invoke(p(), 'black-forest-labs/flux-schnell', text('x')));
		expect(error).toMatchObject({ kind: 'model_gone', retryable: false, message: 'Replicate no longer serves black-forest-labs/flux-schnell.' });
	});

	it('a community model removed after PANIC learnt its latest version is model_gone (422), and is looked up afresh next time', async () => {
		const platform = p();
		await invoke(platform, 'lucataco/moondream2', image);
		fake.removeModel('lucataco/moondream2');
		const error = await failure(invoke(platform, 'lucataco/moondream2', image));
		expect(error.kind).toBe('model_gone');
		expect(error.message).toMatch(/^Replicate no longer serves lucataco\/moondream2/);
		const again = await failure(invoke(platform, 'lucataco/moondream2', image));
		expect(again).toMatchObject({ kind: 'model_gone', message: 'Replicate no longer serves lucataco/moondream2.' });
		expect(fake.requests.filter((r) => r.path === '/v1/models/lucataco/moondream2')).toHaveLength(2);
	});

	it('a pinned version that is gone is model_gone', async () => {
		fake.removeVersion(WHISPER_VERSION);
		const error = await failure(invoke(p(), 'openai/whisper', audio));
		expect(error.kind).toBe('model_gone');
		expect(error.message).toMatch(/^Replicate no longer serves openai\/whisper/);
	});
});

describe('replicate adapter: large inputs', () => {
	let fake: FakeReplicate;
	const p = () => createReplicatePlatform({ replicateBaseUrl: fake.baseUrl }, { pollIntervalMs: 20 });
	beforeAll(async () => {
		fake = await startFakeReplicate({ keys: [KEY], maxUploadBytes: 3 * 1024 * 1024 });
	});
	afterAll(() => fake.close());
	/** A PNG padded to `size` bytes (the format is read from its first bytes). */
	const bigImage = (size: number): Payload => {
		const bytes = new Uint8Array(size);
		bytes.set(tinyPng(3));
		return { kind: 'image', bytes, mime: 'image/png' };
	};

	it(`an image over ${MAX_DATA_URI_BYTES} bytes goes up through POST /v1/files and the prediction names the file URL`, async () => {
		const big = bigImage(2 * 1024 * 1024);
		const before = fake.requests.length;
		const result = await invoke(p(), 'lucataco/moondream2', big);
		const api = fake.requests.slice(before).filter((r) => r.path.startsWith('/v1/'));
		const upload = api.find((r) => r.method === 'POST' && r.path === '/v1/files');
		expect(upload?.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		const [file] = [...fake.uploads.values()];
		expect(file).toMatchObject({ contentType: 'image/png', name: 'input.png' });
		expect(Buffer.from(file.bytes).equals(Buffer.from(big.kind === 'image' ? big.bytes : []))).toBe(true);
		const create = JSON.parse(api.find((r) => r.path === '/v1/predictions')!.body);
		expect(create.input.image).toBe(file.url);
		expect(create.input.image).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/files\/[a-z0-9]+$/);
		expect(api.find((r) => r.path === '/v1/predictions')!.body).not.toContain('data:');
		// The model read the uploaded file itself.
		expect(result.output.kind === 'text' && result.output.text).toMatch(/image\/png/);
		const object = await (await fetch(file.url, { headers: { authorization: `Bearer ${KEY}` } })).json();
		expect(object).toMatchObject({ id: file.id, content_type: 'image/png', size: 2 * 1024 * 1024, urls: { get: file.url } });
		expect(object.checksums.sha256).toMatch(/^[0-9a-f]{64}$/);
	});

	it('a small image stays a data URI, with no upload', async () => {
		const before = fake.requests.length;
		await invoke(p(), 'lucataco/moondream2', image);
		expect(fake.requests.slice(before).some((r) => r.path === '/v1/files')).toBe(false);
		expect(JSON.parse(fake.requests.slice(before).find((r) => r.path === '/v1/predictions')!.body).input.image).toMatch(/^data:image\/png;base64,/);
	});

	it('an upload Replicate refuses as too large (413) is invalid input; no prediction is made', async () => {
		const before = fake.requests.length;
		const error = await failure(invoke(p(), 'lucataco/moondream2', bigImage(4 * 1024 * 1024)));
		expect(error.kind).toBe('invalid_input');
		expect(error.message).toMatch(/too large for Replicate's files API/);
		expect(fake.requests.slice(before).some((r) => r.path === '/v1/predictions')).toBe(false);
	});
});

describe('replicate checkAvailability', () => {
	let fake: FakeReplicate;
	let platform: Platform;
	const entries = [...REPLICATE_MODELS, ...REPLICATE_EMBEDDERS];
	const check = (key = KEY, list: typeof entries = entries) => platform.checkAvailability!(list, { key, signal: never() });
	beforeEach(async () => {
		fake = await startFakeReplicate({ keys: [KEY] });
		platform = createReplicatePlatform({ replicateBaseUrl: fake.baseUrl });
	});
	afterEach(() => fake.close());

	it('finds every curated entry served, asking once per model and pinned version, a few at a time', async () => {
		const answers = await check();
		expect([...answers.keys()].sort()).toEqual(entries.map((e) => e.id).sort());
		for (const [id, answer] of answers) expect(answer, id).toEqual({ available: true });
		const lookups = fake.requests.filter((r) => r.path.startsWith('/v1/models/'));
		const distinct = new Set(entries.map((e) => `${e.replicate.model}:${e.replicate.version ?? ''}`));
		const pinned = [...distinct].filter((k) => !k.endsWith(':')).length;
		expect(lookups).toHaveLength(distinct.size + pinned);
		expect(lookups.every((r) => r.method === 'GET' && r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
	});

	it('says why an entry is not served: model gone, pinned version gone, no version, payload field gone', async () => {
		fake.removeModel('lucataco/moondream2');
		fake.removeVersion(WHISPER_VERSION);
		fake.removeVersion(fakeVersionId('meta/musicgen'));
		const llama = fake.models.get('meta/meta-llama-3-8b-instruct')!;
		const schema = structuredClone(llama.openapiSchema) as { components: { schemas: { Input: { properties: Record<string, unknown> } } } };
		delete schema.components.schemas.Input.properties.prompt;
		fake.addModel('meta/meta-llama-3-8b-instruct', { ...llama, openapiSchema: schema });
		const answers = await check();
		expect(answers.get('replicate/lucataco/moondream2')).toEqual({ available: false, reason: 'Replicate no longer serves lucataco/moondream2.' });
		expect(answers.get('replicate/openai/whisper')).toEqual({ available: false, reason: `openai/whisper no longer has version ${WHISPER_VERSION.slice(0, 12)}… on Replicate.` });
		expect(answers.get('replicate/meta/musicgen')).toEqual({ available: false, reason: 'meta/musicgen has no published version on Replicate.' });
		expect(answers.get('replicate/meta/meta-llama-3-8b-instruct')).toEqual({
			available: false,
			reason: "meta/meta-llama-3-8b-instruct's latest version no longer takes `prompt`."
		});
		expect(answers.get('replicate/black-forest-labs/flux-schnell')).toEqual({ available: true });
	});

	it('checks a model a user added, and throws when the key is refused', async () => {
		const added = await describeReplicateModel(KEY, { replicateBaseUrl: fake.baseUrl }, 'yorickvp/llava-13b', never());
		expect((await check(KEY, [added])).get(added.id)).toEqual({ available: true });
		expect(await failure(check('r8_wrong_key_000000000000'))).toMatchObject({ kind: 'auth' });
	});

	it('throws when Replicate throttles, without a storm of lookups after it', async () => {
		fake.throttleNext({ retryAfterBody: 3 });
		const before = fake.requests.length;
		expect(await failure(check())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
		// The refusal stops the rest: no storm of lookups after it.
		expect(fake.requests.length - before).toBeLessThanOrEqual(4);
	});
});

describe('replicate adapter: odd outputs', () => {
	let fake: FakeReplicate;
	beforeAll(async () => {
		fake = await startFakeReplicate({
			keys: [KEY],
			outputs: {
				'black-forest-labs/flux-schnell': (_, files) => [files.wav()],
				'stability-ai/sdxl': () => [],
				'bytedance/sdxl-lightning-4step': () => ['http://127.0.0.1:1/files/gone.png'],
				'yorickvp/llava-13b': () => ['  ', ''],
				'openai/whisper': () => 'a bare string',
				'meta/musicgen': (_, files) => `${files.wav().replace(/\/files\/.*/, '/files/missing.wav')}`
			}
		});
	});
	afterAll(() => fake.close());

	it.each([
		['black-forest-labs/flux-schnell', 'text', /not a PNG/],
		['stability-ai/sdxl', 'text', /no output file/],
		['yorickvp/llava-13b', 'image', /empty text/],
		['openai/whisper', 'audio', /unexpected shape/],
		['meta/musicgen', 'text', /^The provider's output file could not be downloaded\.$/]
	] as const)('%s: a malformed output is invalid_output, carrying the prediction id', async (ref, kind, message) => {
		const input = { text: text('x'), image, audio }[kind];
		const p = createReplicatePlatform({ replicateBaseUrl: fake.baseUrl });
		const error = await failure(p.invoke(model(ref), input, { signal: never(), key: KEY, params: {} }));
		expect(error).toBeInstanceOf(PlatformError);
		expect(error.kind).toBe('invalid_output');
		expect(error.retryable).toBe(false);
		expect(error.message).toMatch(message);
		expect(fake.predictions.has(error.requestId!)).toBe(true);
	});

	it('an output file that cannot be reached is unavailable (retryable)', async () => {
		// Port 1 is allowed (as an operator would allow a host) but nothing listens there.
		const p = createReplicatePlatform({ replicateBaseUrl: fake.baseUrl, outputHosts: ['http://127.0.0.1:1'] });
		const error = await failure(p.invoke(model('bytedance/sdxl-lightning-4step'), text('x'), { signal: never(), key: KEY, params: {} }));
		expect(error.kind).toBe('unavailable');
		expect(error.requestId).toBeTruthy();
	});
});

describe('proposeMapping', () => {
	it.each([
		['flux-schnell-like', FLUX_SCHNELL_SCHEMA, { inputField: 'prompt', input: 'text', output: 'image', outputShape: 'file', defaults: {} }],
		['llava-like', LLAVA_SCHEMA, { inputField: 'image', input: 'image', output: 'text', outputShape: 'text', defaults: { prompt: 'Describe this image.' } }],
		['whisper-like', WHISPER_SCHEMA, { inputField: 'audio', input: 'audio', output: 'text', outputShape: 'text', outputField: 'transcription' }],
		['musicgen-like', MUSICGEN_SCHEMA, { inputField: 'prompt', input: 'text', output: 'audio', outputShape: 'file' }],
		['bark-like', BARK_SCHEMA, { inputField: 'prompt', input: 'text', output: 'audio', outputShape: 'file', outputField: 'audio_out' }]
	] as const)('maps a %s schema', (_, schema, expected) => {
		const proposal = proposeMapping(schema);
		expect(proposal.ok).toBe(true);
		if (proposal.ok) expect(proposal.mapping).toMatchObject(expected);
	});

	it('uses the model description to tell audio from images when the schema does not say', () => {
		const schema = { components: { schemas: { Input: { properties: { prompt: { type: 'string' } } }, Output: { type: 'string', format: 'uri' } } } };
		expect(proposeMapping(schema)).toMatchObject({ ok: true, mapping: { output: 'image' } });
		expect(proposeMapping(schema, 'Generates music from text')).toMatchObject({ ok: true, mapping: { output: 'audio' } });
	});

	it.each([
		['a video model', VIDEO_SCHEMA, /video/],
		['an unusable model', UNUSABLE_SCHEMA, /None of its inputs/],
		['no schema', null, /no inputs/]
	])('explains why %s does not fit', (_, schema, reason) => {
		const proposal = proposeMapping(schema);
		expect(proposal.ok).toBe(false);
		if (!proposal.ok) expect(proposal.reason).toMatch(reason);
	});

	it('finds files under other names by their name, title or description', () => {
		const uri = { type: 'string', format: 'uri' };
		const schema = (properties: Record<string, unknown>, required: string[]) => ({
			components: { schemas: { Input: { properties, required }, Output: { type: 'string' } } }
		});
		expect(proposeMapping(schema({ picture: uri, temperature: { type: 'number' } }, ['picture']))).toMatchObject({
			ok: true,
			mapping: { inputField: 'picture', input: 'image' }
		});
		expect(proposeMapping(schema({ source: { ...uri, description: 'A WAV recording' }, prompt: { type: 'string' } }, ['source']))).toMatchObject({
			ok: true,
			mapping: { inputField: 'source', input: 'audio' }
		});
		// An optional file loses to a prompt; a file nothing hints at is not guessed.
		expect(proposeMapping(schema({ photo: uri, prompt: { type: 'string' } }, []))).toMatchObject({ ok: true, mapping: { inputField: 'prompt' } });
		expect(proposeMapping(schema({ blob: uri }, []))).toMatchObject({ ok: false });
	});

	it('refuses a model with a required input PANIC cannot fill', () => {
		const schema = { components: { schemas: { Input: { required: ['seed_file'], properties: { prompt: { type: 'string' }, seed_file: { type: 'string', format: 'uri' } } }, Output: { type: 'string' } } } };
		expect(proposeMapping(schema)).toEqual({ ok: false, reason: 'It also requires "seed_file", which PANIC cannot fill.' });
	});
});

describe('describeReplicateModel', () => {
	let fake: FakeReplicate;
	const config = () => ({ replicateBaseUrl: fake.baseUrl });
	beforeAll(async () => {
		fake = await startFakeReplicate({ keys: [KEY], models: { 'someone/schemaless': { run: () => 'x' } } });
	});
	afterAll(() => fake.close());

	it('proposes a catalogue entry from the latest version', async () => {
		const info = await describeReplicateModel(KEY, config(), 'openai/whisper', never());
		expect(info).toMatchObject({
			id: 'replicate/openai/whisper',
			platform: 'replicate',
			name: 'whisper',
			input: 'audio',
			output: 'text',
			homepage: 'https://replicate.com/openai/whisper',
			pricing: 'billed by Replicate per second of compute',
			defaults: {},
			replicate: { model: 'openai/whisper', official: false, inputField: 'audio', outputShape: 'text', outputField: 'transcription', input: {} }
		});
		expect(replicateSpecSchema.safeParse(info.replicate).success).toBe(true);
		expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
	});

	it('builds the settings form from the schema’s inputs, and a run sends only those settings', async () => {
		const info = await describeReplicateModel(KEY, config(), 'black-forest-labs/flux-schnell', never());
		const byKey = Object.fromEntries((info.params ?? []).map((p) => [p.key, p]));
		// The payload's field is no setting; files and unbounded numbers (seed) have no form field.
		expect(Object.keys(byKey)).toEqual(['aspect_ratio', 'num_outputs', 'num_inference_steps', 'output_format', 'output_quality', 'disable_safety_checker', 'go_fast', 'megapixels']);
		expect(byKey.aspect_ratio).toMatchObject({ kind: 'choice', options: [...FLUX_ASPECT_RATIOS], default: '1:1' });
		expect(byKey.num_inference_steps).toMatchObject({ kind: 'number', min: 1, max: 4, integer: true, default: 4 });
		expect(byKey.output_format).toMatchObject({ kind: 'choice', options: ['webp', 'jpg', 'png'], default: 'webp' });
		expect(byKey.go_fast).toMatchObject({ kind: 'boolean', default: true });
		const texty = await describeReplicateModel(KEY, config(), 'yorickvp/llava-13b', never());
		expect(texty.params?.map((p) => [p.key, p.kind])).toEqual([['prompt', 'text'], ['top_p', 'number']]);

		const p = createReplicatePlatform({ replicateBaseUrl: fake.baseUrl });
		const before = fake.requests.length;
		await p.invoke(texty, image, { signal: never(), key: KEY, params: { top_p: 0.5, temperature: 9, stray: 'x' } });
		const create = fake.requests.slice(before).find((r) => r.path === '/v1/predictions')!;
		expect(Object.keys(JSON.parse(create.body).input).sort()).toEqual(['image', 'prompt', 'top_p']);
		expect(JSON.parse(create.body).input).toMatchObject({ prompt: 'Describe this image.', top_p: 0.5 });
	});

	it('pins a version when one is given, reading that version', async () => {
		const version = fakeVersionId('meta/musicgen');
		const info = await describeReplicateModel(KEY, config(), `meta/musicgen:${version}`, never());
		expect(info.id).toBe(`replicate/meta/musicgen:${version}`);
		expect(info.replicate.version).toBe(version);
		expect(info.output).toBe('audio');
		expect(fake.requests.at(-1)?.path).toBe(`/v1/models/meta/musicgen/versions/${version}`);
	});

	it.each([
		['nobody/nothing', /no such model on Replicate: nobody\/nothing/],
		[`meta/musicgen:${'0'.repeat(64)}`, /has no version 000000000000/],
		['someone/schemaless', /publishes no input\/output schema/]
	])('explains %s', async (ref, message) => {
		const error = await failure(describeReplicateModel(KEY, config(), ref, never()));
		expect(error.kind).toBe('invalid_input');
		expect(error.message).toMatch(message);
	});

	it.each(['flux', 'Owner/Name', 'a/b/c', 'a/b:123', 'a/b:' + 'G'.repeat(64), '../x/y', 'https://replicate.com/a/b'])(
		'rejects the malformed ref %s without a request',
		async (ref) => {
			const before = fake.requests.length;
			const error = await failure(describeReplicateModel(KEY, config(), ref, never()));
			expect(error.kind).toBe('invalid_input');
			expect(fake.requests.length).toBe(before);
		}
	);

	it('reports a refused key as auth', async () => {
		expect((await failure(describeReplicateModel('wrong', config(), 'openai/whisper', never()))).kind).toBe('auth');
	});
});

describe('curated Replicate catalogue', () => {
	it('has unique ids, Replicate homepages, valid settings and all six directions', () => {
		const ids = [...REPLICATE_MODELS, ...REPLICATE_EMBEDDERS].map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(REPLICATE_MODELS.length).toBeGreaterThanOrEqual(11);
		for (const m of REPLICATE_MODELS) {
			expect(m.id).toBe(`replicate/${m.replicate.model}`);
			expect(m.homepage).toBe(`https://replicate.com/${m.replicate.model}`);
			expect(m.platform).toBe('replicate');
			expect(m.pricing).toBeTruthy();
			expect(replicateSpecSchema.safeParse(m.replicate).success, m.id).toBe(true);
			expect(m.replicate.outputShape === 'text', m.id).toBe(m.output === 'text');
		}
		for (const e of REPLICATE_EMBEDDERS) {
			expect(e.homepage).toMatch(/^https:\/\/replicate\.com\//);
			expect(replicateEmbedSpecSchema.safeParse(e.replicate).success).toBe(true);
		}
		const directions = new Set(REPLICATE_MODELS.map((m) => `${m.input}→${m.output}`));
		for (const d of ['text→image', 'image→text', 'audio→text', 'text→audio', 'text→text', 'image→image']) expect(directions).toContain(d);
		expect(new Set(REPLICATE_EMBEDDERS.map((e) => e.input))).toEqual(new Set(['text', 'image']));
	});
});

async function waitFor<T>(find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const found = find();
		if (found !== undefined) return found;
		if (Date.now() > until) throw new Error('timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
