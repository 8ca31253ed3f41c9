/**
 * The OpenAI adapter against the fake OpenAI server: the shared platform contract on a
 * chat model, then what only OpenAI has — one endpoint per direction, inline images,
 * multipart uploads, binary speech, embeddings, costs from usage, its refusal shapes, an
 * account out of credit, retired models, settings per model and the model-list availability
 * check. The fake serves only what OpenAI serves (server/platforms/openai/served.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import OpenAI from 'openai';
import { createOpenAIClient } from '../../server/platforms/clients';
import { callParams } from '../../server/platforms/openai/inputs';
import { CHAT_SYSTEM_PROMPT, EDIT_PROMPT, OPENAI_EMBEDDERS, OPENAI_MODELS, VISION_PROMPT, type OpenAIModelInfo } from '../../server/platforms/openai/models';
import { OPENAI_SERVED } from '../../server/platforms/openai/served';
import { createOpenAIPlatform } from '../../server/platforms/openai/platform';
import { PlatformError, type InvokeResult } from '../../server/platforms/platform';
import type { ModelInfo, Payload } from '../../server/shared/platforms/types';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai';
import { describePlatformContract } from './contract';

const KEY = 'sk-test-openai-0123456789';

const model = (id: string): OpenAIModelInfo => {
	const found = OPENAI_MODELS.find((m) => m.id === id);
	if (!found) throw new Error(`no ${id}`);
	return found;
};
const text = (value: string): Payload => ({ kind: 'text', text: value });
const png = encodePng({ width: 4, height: 4, rgb: new Uint8Array(48).fill(200) });
const image: Payload = { kind: 'image', bytes: png, mime: 'image/png' };
/** 2.5 seconds of 8 kHz 16-bit mono silence. */
const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(20_000) });
const audio: Payload = { kind: 'audio', bytes: wav, mime: 'audio/wav' };

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(PlatformError);
		return error as PlatformError;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

describePlatformContract('openai', async () => {
	const fake = await startFakeOpenAI({ keys: [KEY] });
	return {
		platform: createOpenAIPlatform({ openaiBaseUrl: fake.baseUrl }, { timeoutMs: 10_000 }),
		fake,
		key: KEY,
		model: model('openai/gpt-6-luna'),
		input: text('a red fox in the snow'),
		route: 'POST /v1/chat/completions',
		refuseNext: () => fake.refuseNext('chat'),
		malformNext: () => fake.malformNext(),
		close: () => fake.close()
	};
});

describe('openai platform', () => {
	let fake: FakeOpenAI;
	const platform = () => createOpenAIPlatform({ openaiBaseUrl: fake.baseUrl }, { timeoutMs: 10_000 });
	const invoke = (id: string | ModelInfo, input: Payload, params: Record<string, unknown> = {}, key = KEY): Promise<InvokeResult> =>
		platform().invoke(typeof id === 'string' ? model(id) : id, input, { signal: new AbortController().signal, key, params });
	const json = (path: string) => fake.lastCall(path)?.json;

	beforeAll(async () => {
		fake = await startFakeOpenAI({ keys: [KEY] });
	});
	afterAll(async () => {
		await fake.close();
	});

	describe('chat', () => {
		it('sends GPT-6 Luna the system prompt and the text with reasoning off and no temperature, and prices the usage', async () => {
			const result = await invoke('openai/gpt-6-luna', text('a red fox in the snow'));
			expect(result.output).toEqual({ kind: 'text', text: 'A vivid scene: a red fox in the snow' });
			expect(json('/v1/chat/completions')).toEqual({
				model: 'gpt-6-luna',
				messages: [
					{ role: 'system', content: CHAT_SYSTEM_PROMPT },
					{ role: 'user', content: 'a red fox in the snow' }
				],
				max_completion_tokens: 200,
				reasoning_effort: 'none'
			});
			const inputTokens = CHAT_SYSTEM_PROMPT.split(/\s+/).length + 6;
			expect(result.metrics).toEqual({ inputTokens, outputTokens: 9, totalTokens: inputTokens + 9 });
			expect(result.costUsd).toBeCloseTo((inputTokens * 0.1 + 9 * 0.5) / 1e6, 12);
			expect(result.requestId).toMatch(/^req_/);
		});

		it('lets a node adjust the settings its model takes, drops the rest, and refuses bad values before any request', async () => {
			await invoke('openai/gpt-6-luna', text('hello'), { system: 'Answer in French.', max_completion_tokens: 50, temperature: 0.2, model: 'gpt-4o', n: 5, reasoning_effort: 'high' });
			expect(json('/v1/chat/completions')).toEqual({
				model: 'gpt-6-luna',
				messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'hello' }],
				max_completion_tokens: 50,
				reasoning_effort: 'none'
			});
			const before = fake.requests.length;
			const e = await failure(invoke('openai/gpt-6-luna', text('hello'), { max_completion_tokens: 'many' }));
			expect(e.kind).toBe('invalid_input');
			expect(e.message).toMatch(/Longest answer/);
			expect(fake.requests.length).toBe(before);
		});

		it('still runs the retiring GPT-4.1 mini, which takes a temperature', async () => {
			await invoke('openai/gpt-4.1-mini', text('hello'), { temperature: 0.2 });
			expect(json('/v1/chat/completions')).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0.2, max_completion_tokens: 200 });
			expect(json('/v1/chat/completions')).not.toHaveProperty('reasoning_effort');
			expect((await failure(invoke('openai/gpt-4.1-mini', text('hello'), { temperature: 'hot' }))).kind).toBe('invalid_input');
		});

		it('reports a content-filter stop as a safety refusal', async () => {
			fake.refuseNext('content-filter');
			expect((await failure(invoke('openai/gpt-6-luna', text('x')))).kind).toBe('safety');
		});
	});

	describe('vision', () => {
		it('sends the image inline as a PNG data URI, never as a URL', async () => {
			const result = await invoke('openai/gpt-6-luna-vision', image);
			expect(result.output.kind).toBe('text');
			if (result.output.kind === 'text') expect(result.output.text).toContain(`image/png, ${png.byteLength} bytes`);
			const sent = json('/v1/chat/completions');
			expect(sent).toMatchObject({ model: 'gpt-6-luna', max_completion_tokens: 200, reasoning_effort: 'none' });
			expect(sent).not.toHaveProperty('temperature');
			const [message] = sent?.messages as Array<{ content: Array<{ type: string; text?: string; image_url?: { url: string; detail?: string } }> }>;
			expect(message.content[0]).toEqual({ type: 'text', text: VISION_PROMPT });
			const { url, detail } = message.content[1].image_url ?? { url: '' };
			expect(url.startsWith('data:image/png;base64,')).toBe(true);
			expect(new Uint8Array(Buffer.from(url.split(',')[1], 'base64'))).toEqual(png);
			expect(url).not.toMatch(/localhost|127\.0\.0\.1|https?:/);
			expect(detail).toBe('low');
		});
	});

	describe('image generation', () => {
		it('asks GPT Image 2.6 Flare for a low-quality PNG without response_format or style, and prices its token usage', async () => {
			const result = await invoke('openai/gpt-image-2.6-flare', text('a red fox'));
			expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
			expect(json('/v1/images/generations')).toEqual({ model: 'gpt-image-2.6-flare', prompt: 'a red fox', n: 1, quality: 'low', size: '1024x1024', output_format: 'png' });
			expect(result.metrics).toEqual({ imageCount: 1, inputTokens: 3, imageInputTokens: 0, outputTokens: 272, totalTokens: 275 });
			expect(result.costUsd).toBeCloseTo((3 * 5 + 272 * 30) / 1e6, 12);
		});

		it('takes the 2.6 qualities, drops DALL·E’s style, and refuses DALL·E’s qualities before any request', async () => {
			await invoke('openai/gpt-image-2.6-flare', text('a red fox'), { quality: 'xhigh', size: '1536x1024', style: 'vivid', response_format: 'url' });
			expect(json('/v1/images/generations')).toEqual({ model: 'gpt-image-2.6-flare', prompt: 'a red fox', n: 1, quality: 'xhigh', size: '1536x1024', output_format: 'png' });
			const before = fake.requests.length;
			const e = await failure(invoke('openai/gpt-image-2.6-flare', text('a red fox'), { quality: 'hd' }));
			expect(e.kind).toBe('invalid_input');
			expect(e.message).toMatch(/low, medium, high, xhigh, max, auto/);
			expect(fake.requests.length).toBe(before);
		});

		it('reports a content policy violation as a safety refusal', async () => {
			fake.refuseNext('image');
			const e = await failure(invoke('openai/gpt-image-2.6-flare', text('something forbidden')));
			expect(e.kind).toBe('safety');
			expect(e.status).toBe(400);
			expect(e.requestId).toMatch(/^req_/);
			expect(e.message).not.toContain('safety system');
		});

		it('reports undecodable image bytes as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-image-2.6-flare', text('x')))).kind).toBe('invalid_output');
		});
	});

	describe('image edit', () => {
		it('uploads the image as a multipart file with its bytes intact, with the default prompt', async () => {
			const result = await invoke('openai/gpt-image-2.6-flare-edit', image);
			expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
			const call = fake.lastCall('/v1/images/edits');
			expect(call?.fields).toEqual({ model: 'gpt-image-2.6-flare', prompt: EDIT_PROMPT, quality: 'low', size: '1024x1024', output_format: 'png', n: '1' });
			expect(call?.files?.image).toMatchObject({ name: 'input.png', type: 'image/png' });
			expect(call?.files?.image.bytes).toEqual(png);
			const words = EDIT_PROMPT.split(/\s+/).length;
			expect(result.metrics).toMatchObject({ imageCount: 1, inputTokens: words + 65, imageInputTokens: 65, outputTokens: 272 });
			expect(result.costUsd).toBeCloseTo((words * 5 + 65 * 8 + 272 * 30) / 1e6, 12);
		});

		it('reports refusals and answers without an image', async () => {
			fake.refuseNext('image');
			expect((await failure(invoke('openai/gpt-image-2.6-flare-edit', image))).kind).toBe('safety');
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-image-2.6-flare-edit', image))).kind).toBe('invalid_output');
		});
	});

	describe('transcription', () => {
		it('uploads the WAV as a named file to GPT Transcribe, with no response format, priced by the billed duration', async () => {
			const result = await invoke('openai/gpt-transcribe', audio, { prompt: 'Fox, snow.', language: 'en' });
			expect(result.output).toEqual({ kind: 'text', text: `Heard input.wav, ${wav.byteLength} bytes of audio/wav.` });
			const call = fake.lastCall('/v1/audio/transcriptions');
			expect(call?.fields).toEqual({ model: 'gpt-transcribe', prompt: 'Fox, snow.' });
			expect(call?.files?.file.bytes).toEqual(wav);
			expect(result.metrics).toEqual({ audioSeconds: 3 });
			expect(result.costUsd).toBeCloseTo((0.0045 * 3) / 60, 12);
		});

		it('still runs the retiring Whisper and GPT-4o mini Transcribe (JSON, with a language)', async () => {
			const whisper = await invoke('openai/whisper-1', audio);
			expect(fake.lastCall('/v1/audio/transcriptions')?.fields).toEqual({ model: 'whisper-1', response_format: 'json' });
			expect(whisper.costUsd).toBeCloseTo((0.006 * 3) / 60, 12);
			const mini = await invoke('openai/gpt-4o-mini-transcribe', audio, { language: 'en' });
			expect(fake.lastCall('/v1/audio/transcriptions')?.fields).toEqual({ model: 'gpt-4o-mini-transcribe', language: 'en', response_format: 'json' });
			// Tokens reported, so the duration comes from the WAV header.
			expect(mini.metrics).toMatchObject({ audioSeconds: 2.5, inputTokens: 50 });
			expect(mini.costUsd).toBeCloseTo((0.003 * 2.5) / 60, 12);
		});

		it('reports an empty transcript as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-transcribe', audio))).kind).toBe('invalid_output');
		});
	});

	describe('speech', () => {
		it('returns WAV bytes from GPT-4o mini TTS with the node’s voice and instructions, priced by the minute', async () => {
			const result = await invoke('openai/gpt-4o-mini-tts', text('hello world'), { voice: 'sage', instructions: 'Whisper it.' });
			expect(result.output).toMatchObject({ kind: 'audio', mime: 'audio/wav' });
			expect(json('/v1/audio/speech')).toEqual({ model: 'gpt-4o-mini-tts', input: 'hello world', voice: 'sage', instructions: 'Whisper it.', response_format: 'wav' });
			expect(result.costUsd).toBeCloseTo((0.015 * 0.11) / 60, 12);
			expect(result.requestId).toMatch(/^req_/);
			expect((await failure(invoke('openai/gpt-4o-mini-tts', text('x'), { voice: 'darth' }))).kind).toBe('invalid_input');
		});

		it('never sends instructions to TTS 1, which does not take them, and prices it per character', async () => {
			const result = await invoke('openai/tts-1', text('hello world'), { instructions: 'Whisper it.', speed: 1.5 });
			expect(json('/v1/audio/speech')).toEqual({ model: 'tts-1', input: 'hello world', voice: 'alloy', speed: 1.5, response_format: 'wav' });
			expect(result.metrics).toEqual({ characters: 11, audioSeconds: 0.11 });
			expect(result.costUsd).toBeCloseTo((15 * 11) / 1e6, 12);
			expect((await failure(invoke('openai/tts-1', text('x'), { voice: 'marin' }))).kind).toBe('invalid_input');
		});

		it('reports bytes that are not audio as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-4o-mini-tts', text('x')))).kind).toBe('invalid_output');
		});
	});

	describe('embeddings', () => {
		const embedder = OPENAI_EMBEDDERS[0];
		const embed = () => platform().embed!(embedder, text('a red fox'), { signal: new AbortController().signal, key: KEY, params: {} });

		it('returns the vector as floats and prices the tokens', async () => {
			const result = await embed();
			expect(result.vector).toHaveLength(1536);
			expect(json('/v1/embeddings')).toEqual({ model: 'text-embedding-3-small', input: 'a red fox', encoding_format: 'float' });
			expect(result.metrics).toEqual({ inputTokens: 3 });
			expect(result.costUsd).toBeCloseTo((3 * 0.02) / 1e6, 15);
		});

		it('reports an answer without a vector as invalid output', async () => {
			fake.malformNext();
			expect((await failure(embed())).kind).toBe('invalid_output');
		});
	});

	describe('every served model, every setting', () => {
		const inputs: Record<string, Payload> = { text: text('a red fox'), image, audio };
		/** A value other than the default for each setting, so the test sees the node's choice arrive. */
		const otherValue = (spec: OpenAIModelInfo['params'][number]) => {
			switch (spec.kind) {
				case 'choice':
					return spec.options.find((o) => o !== spec.default) ?? spec.options[0];
				case 'number':
					return spec.max;
				case 'text':
					return 'node text';
				case 'boolean':
					return !spec.default;
			}
		};
		/** Every parameter some OpenAI model refuses: a node may carry any of them from another model. */
		const refusedSomewhere = Object.fromEntries(OPENAI_SERVED.flatMap((m) => m.refuses ?? []).map((key) => [key, key === 'temperature' ? 0.5 : 'vivid']));
		const served = OPENAI_MODELS.filter((m) => OPENAI_SERVED.some((s) => s.id === m.openai.model));

		it.each(served)('$id sends exactly its settings, the node’s values, and nothing it refuses', async (m) => {
			const settings = Object.fromEntries(m.params.map((spec) => [spec.key, otherValue(spec)]));
			// The fake answers 400 to a refused parameter or value, as OpenAI does: success means none was sent.
			await invoke(m, inputs[m.input], { ...refusedSomewhere, ...settings });
			const call = fake.calls.at(-1)!;
			const body = call.json ?? call.fields ?? {};
			expect(body.model).toBe(m.openai.model);
			const expected = callParams(m, settings);
			for (const [key, value] of Object.entries(expected)) {
				if (['system', 'prompt', 'detail'].includes(key) && call.json?.messages) continue; // in the messages
				expect(String(body[key]), key).toBe(String(value));
			}
			const base = ['model', 'prompt', 'n', 'messages', 'input', 'image', 'file'];
			for (const key of Object.keys(body)) expect([...base, ...Object.keys(expected)], key).toContain(key);
		});
	});

	describe('failures', () => {
		it('reports a moderation block as a safety refusal and other 400s as invalid input', async () => {
			const route = 'POST /v1/chat/completions';
			fake.failNext(400, { route, body: { error: { message: 'blocked', type: 'invalid_request_error', param: null, code: 'moderation_blocked' } } });
			expect((await failure(invoke('openai/gpt-6-luna', text('x')))).kind).toBe('safety');
			fake.failNext(400, { route });
			expect((await failure(invoke('openai/gpt-6-luna', text('x')))).kind).toBe('invalid_input');
		});

		it('reports an account out of credit (429 insufficient_quota) as no_credit: not retried, stops the run, in PANIC’s words', async () => {
			fake.quotaExhausted = true;
			try {
				const before = fake.requestsTo('/v1/chat/completions').length;
				const e = await failure(invoke('openai/gpt-6-luna', text('x')));
				expect(e).toMatchObject({ kind: 'no_credit', retryable: false, stopsRun: true, status: 429 });
				expect(e.message).toMatch(/OpenAI account has no credit/);
				expect(e.message).toMatch(/platform\.openai\.com\/settings\/organization\/billing/);
				expect(e.message).not.toMatch(/exceeded your current quota/);
				expect(fake.requestsTo('/v1/chat/completions').length - before).toBe(1);
				expect((await failure(invoke('openai/gpt-image-2.6-flare', text('x')))).kind).toBe('no_credit');
			} finally {
				fake.quotaExhausted = false;
			}
			// A plain rate limit stays a retryable wait.
			fake.failNext(429, { route: 'POST /v1/chat/completions', headers: { 'retry-after': '3' } });
			expect(await failure(invoke('openai/gpt-6-luna', text('x')))).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 3000, stopsRun: false });
		});

		it('reports a retired model as model_gone, naming it and when it shut down, never as invalid input', async () => {
			const dalle = await failure(invoke('openai/dall-e-3', text('a blue whale')));
			expect(dalle).toMatchObject({ kind: 'model_gone', status: 404, retryable: false, stopsRun: false });
			expect(dalle.message).toBe('OpenAI no longer serves dall-e-3 (shut down 2026-05-12). Choose another model for this node.');
			const edit = await failure(invoke('openai/gpt-image-1-edit', image));
			expect(edit.message).toMatch(/^OpenAI no longer serves gpt-image-1 \(shut down 2026-10-23\)/);
			expect(fake.calls.at(-1)?.fields?.model).toBe('gpt-image-1');
		});

		it('refuses a model without an OpenAI spec, the wrong modality, and a missing key, before any request', async () => {
			const before = fake.requests.length;
			const { openai: _spec, ...plain } = model('openai/gpt-6-luna');
			expect((await failure(invoke(plain, text('x')))).kind).toBe('invalid_input');
			expect((await failure(invoke('openai/gpt-6-luna', image))).kind).toBe('invalid_input');
			const e = await failure(invoke('openai/gpt-6-luna', text('x'), {}, ''));
			expect(e.kind).toBe('auth');
			expect(fake.requests.length).toBe(before);
		});
	});
});

describe('a model OpenAI stops serving', () => {
	let fake: FakeOpenAI;
	beforeAll(async () => {
		fake = await startFakeOpenAI({ keys: [KEY] });
	});
	afterAll(async () => {
		await fake.close();
	});
	const signal = () => new AbortController().signal;
	const platform = (today = new Date('2026-12-07T12:00:00Z')) =>
		createOpenAIPlatform({ openaiBaseUrl: fake.baseUrl }, { timeoutMs: 10_000, availabilityTimeoutMs: 1_000, today: () => today });
	const all = [...OPENAI_MODELS, ...OPENAI_EMBEDDERS];

	it('is available in the model list until it is gone; retired ones are named with their shutdown date', async () => {
		const before = fake.requests.length;
		const answers = await platform().checkAvailability!(all, { key: KEY, signal: signal() });
		expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
		expect([...answers.keys()].sort()).toEqual(all.map((m) => m.id).sort());
		const unavailable = [...answers].filter(([, a]) => !a.available);
		expect(Object.fromEntries(unavailable)).toEqual({
			'openai/dall-e-3': { available: false, reason: 'OpenAI no longer serves dall-e-3 to this key (shut down 2026-05-12)' },
			'openai/gpt-image-1': { available: false, reason: 'OpenAI no longer serves gpt-image-1 to this key (shut down 2026-10-23)' },
			'openai/gpt-image-1-edit': { available: false, reason: 'OpenAI no longer serves gpt-image-1 to this key (shut down 2026-10-23)' }
		});
	});

	it('is unavailable, with the reason, once the list lacks it; its calls fail as model_gone', async () => {
		fake.removeModel('gpt-6-luna');
		const answers = await platform().checkAvailability!([model('openai/gpt-6-luna'), model('openai/gpt-6-luna-vision'), OPENAI_EMBEDDERS[0]], { key: KEY, signal: signal() });
		expect(answers.get('openai/gpt-6-luna')).toEqual({ available: false, reason: 'OpenAI no longer serves gpt-6-luna to this key' });
		expect(answers.get('openai/gpt-6-luna-vision')?.available).toBe(false);
		expect(answers.get('openai/text-embedding-3-small')).toEqual({ available: true });
		const e = await failure(platform().invoke(model('openai/gpt-6-luna'), text('x'), { signal: signal(), key: KEY, params: {} }));
		expect(e).toMatchObject({ kind: 'model_gone', message: 'OpenAI no longer serves gpt-6-luna. Choose another model for this node.' });
	});

	it('is unavailable once the shutdown date the list shows has passed', async () => {
		const before = await platform(new Date('2027-01-13T23:00:00Z')).checkAvailability!([model('openai/gpt-4o-mini')], { key: KEY, signal: signal() });
		expect(before.get('openai/gpt-4o-mini')).toEqual({ available: true });
		const after = await platform(new Date('2027-01-14T08:00:00Z')).checkAvailability!([model('openai/gpt-4o-mini')], { key: KEY, signal: signal() });
		expect(after.get('openai/gpt-4o-mini')).toEqual({ available: false, reason: 'OpenAI no longer serves gpt-4o-mini to this key (shut down 2027-01-14)' });
		fake.setShutdownDate('gpt-transcribe', '2026-12-01');
		const transcribe = await platform().checkAvailability!([model('openai/gpt-transcribe')], { key: KEY, signal: signal() });
		expect(transcribe.get('openai/gpt-transcribe')?.reason).toBe('OpenAI no longer serves gpt-transcribe to this key (shut down 2026-12-01)');
		fake.setShutdownDate('gpt-transcribe', null);
	});

	it('fails as auth, rate_limited or unavailable when the list cannot be read, after one request', async () => {
		const check = (key = KEY) => platform().checkAvailability!([model('openai/gpt-6-luna')], { key, signal: signal() });
		const count = () => fake.requestsTo('/v1/models').length;
		let before = count();
		const refused = await failure(check('sk-wrong-000000000000000000'));
		expect(refused).toMatchObject({ kind: 'auth' });
		expect(refused.message).not.toContain('0000');
		expect(count() - before).toBe(1);
		before = count();
		fake.failNext(429, { route: 'GET /v1/models', headers: { 'retry-after': '4' } });
		expect(await failure(check())).toMatchObject({ kind: 'rate_limited', retryAfterMs: 4000 });
		fake.failNext(500, { route: 'GET /v1/models' });
		expect(await failure(check())).toMatchObject({ kind: 'unavailable' });
		expect(count() - before).toBe(2);
		fake.delayNext(5_000, { route: 'GET /v1/models' });
		const started = Date.now();
		expect(await failure(check())).toMatchObject({ kind: 'unavailable', message: 'OpenAI did not list its models within 1 seconds.' });
		expect(Date.now() - started).toBeLessThan(3_000);
	});
});

describe('the fake OpenAI says no as OpenAI does', () => {
	let fake: FakeOpenAI;
	let client: OpenAI;
	beforeAll(async () => {
		fake = await startFakeOpenAI({ keys: [KEY] });
		client = createOpenAIClient(KEY, { openaiBaseUrl: fake.baseUrl }, { maxRetries: 0 });
	});
	afterAll(async () => {
		await fake.close();
	});
	const rejection = async (promise: Promise<unknown>) => {
		const error = await promise.then(
			() => undefined,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(OpenAI.APIError);
		const e = error as InstanceType<typeof OpenAI.APIError>;
		return { status: e.status, type: e.type, code: e.code, param: e.param, message: (e.error as { message?: string }).message };
	};

	it('lists only served models, with their shutdown dates', async () => {
		const listed = (await client.models.list()).data as unknown as Array<{ id: string; shutdown_date: string | null }>;
		expect(listed.map((m) => m.id).sort()).toEqual(OPENAI_SERVED.map((m) => m.id).sort());
		expect(listed.find((m) => m.id === 'gpt-4o-mini')?.shutdown_date).toBe('2027-01-14');
		expect(listed.find((m) => m.id === 'gpt-6-luna')?.shutdown_date).toBeNull();
		expect((await client.models.retrieve('gpt-6-luna')).id).toBe('gpt-6-luna');
		expect(await rejection(client.models.retrieve('dall-e-3'))).toMatchObject({ status: 404, code: 'model_not_found' });
	});

	it('answers a retired model, an unknown one, and a model on the wrong route with 404', async () => {
		expect(await rejection(client.images.generate({ model: 'dall-e-3', prompt: 'x' }))).toEqual({
			status: 404,
			type: 'invalid_request_error',
			code: 'model_not_found',
			param: null,
			message: 'The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations'
		});
		expect(await rejection(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }))).toMatchObject({
			status: 404,
			code: 'model_not_found',
			message: 'The model `gpt-9` does not exist or you do not have access to it.'
		});
		expect(await rejection(client.chat.completions.create({ model: 'gpt-image-2.6-flare', messages: [{ role: 'user', content: 'x' }] }))).toMatchObject({ status: 404, param: 'model' });
	});

	it('answers 400 to parameters and values a model does not take', async () => {
		expect(await rejection(client.chat.completions.create({ model: 'gpt-6-luna', messages: [{ role: 'user', content: 'x' }], temperature: 0.7 }))).toEqual({
			status: 400,
			type: 'invalid_request_error',
			code: 'unsupported_parameter',
			param: 'temperature',
			message: "Unsupported parameter: 'temperature' is not supported with this model."
		});
		expect(await rejection(client.images.generate({ model: 'gpt-image-2.6-flare', prompt: 'x', response_format: 'b64_json' }))).toMatchObject({ status: 400, param: 'response_format' });
		expect(await rejection(client.images.generate({ model: 'gpt-image-2.6-flare', prompt: 'x', style: 'vivid' }))).toMatchObject({ status: 400, param: 'style' });
		expect(await rejection(client.images.generate({ model: 'gpt-image-2.6-flare', prompt: 'x', quality: 'standard' }))).toMatchObject({
			status: 400,
			code: 'invalid_value',
			param: 'quality',
			message: "Invalid value: 'standard'. Supported values are: 'low', 'medium', 'high', 'xhigh', 'max', and 'auto'."
		});
	});

	it('answers 429 insufficient_quota while the account has no credit', async () => {
		fake.quotaExhausted = true;
		expect(await rejection(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))).toEqual({
			status: 429,
			type: 'insufficient_quota',
			code: 'insufficient_quota',
			param: null,
			message: expect.stringContaining('You exceeded your current quota')
		});
		fake.quotaExhausted = false;
		expect((await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).data).toHaveLength(1);
	});
});

describe('openai catalogue', () => {
	it('has unique ids, and every entry resolves its own defaults', () => {
		const ids = [...OPENAI_MODELS, ...OPENAI_EMBEDDERS].map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const m of OPENAI_MODELS) expect(() => callParams(m, {})).not.toThrow();
		expect(OPENAI_EMBEDDERS[0]).toMatchObject({ id: 'openai/text-embedding-3-small', input: 'text', dimensions: 1536 });
	});

	it('offers the six directions OpenAI serves with current models, and keeps the old ones loadable', () => {
		const offered = OPENAI_MODELS.filter((m) => !m.deprecated);
		expect(offered.map((m) => m.id)).toEqual([
			'openai/gpt-6-luna',
			'openai/gpt-6-luna-vision',
			'openai/gpt-image-2.6-flare',
			'openai/gpt-image-2.6-flare-edit',
			'openai/gpt-transcribe',
			'openai/gpt-4o-mini-tts'
		]);
		const directions = new Set(offered.map((m) => `${m.input}→${m.output}`));
		expect([...directions].sort()).toEqual(['audio→text', 'image→image', 'image→text', 'text→audio', 'text→image', 'text→text']);
		const kept = OPENAI_MODELS.filter((m) => m.deprecated).map((m) => m.id);
		for (const id of ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o-mini-vision', 'gpt-image-1', 'dall-e-3', 'gpt-image-1-edit', 'whisper-1', 'gpt-4o-mini-transcribe', 'tts-1']) {
			expect(kept).toContain(`openai/${id}`);
		}
		expect(model('openai/gpt-4o-mini-tts').retires).toBe('2027-01-06');
	});
});
