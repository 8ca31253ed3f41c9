/**
 * The OpenAI adapter against the fake OpenAI server: the shared platform contract on a
 * chat model, then what only OpenAI has — one endpoint per direction, inline images,
 * multipart uploads, binary speech, embeddings, costs from usage, and its refusal shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import { resolveParams } from '../../server/platforms/openai/inputs';
import { CHAT_SYSTEM_PROMPT, EDIT_PROMPT, OPENAI_EMBEDDERS, OPENAI_MODELS, type OpenAIModelInfo } from '../../server/platforms/openai/models';
import { createOpenAIPlatform } from '../../server/platforms/openai/platform';
import { PlatformError, type InvokeResult } from '../../server/platforms/platform';
import type { ModelInfo, Payload } from '../../server/platforms/types';
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
		model: model('openai/gpt-4o-mini'),
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
		it('sends the system prompt and the text, and prices the reported usage', async () => {
			const result = await invoke('openai/gpt-4o-mini', text('a red fox in the snow'));
			expect(result.output).toEqual({ kind: 'text', text: 'A vivid scene: a red fox in the snow' });
			expect(json('/v1/chat/completions')).toMatchObject({
				model: 'gpt-4o-mini',
				messages: [
					{ role: 'system', content: CHAT_SYSTEM_PROMPT },
					{ role: 'user', content: 'a red fox in the snow' }
				],
				max_completion_tokens: 200
			});
			const inputTokens = CHAT_SYSTEM_PROMPT.split(/\s+/).length + 6;
			expect(result.metrics).toEqual({ inputTokens, outputTokens: 9, totalTokens: inputTokens + 9 });
			expect(result.costUsd).toBeCloseTo((inputTokens * 0.15 + 9 * 0.6) / 1e6, 12);
			expect(result.requestId).toMatch(/^req_/);
		});

		it('lets a node adjust known params, ignores unknown ones, and refuses bad values', async () => {
			await invoke('openai/gpt-4.1-mini', text('hello'), { system: 'Answer in French.', temperature: 0.2, model: 'gpt-4o', n: 5 });
			const sent = json('/v1/chat/completions');
			expect(sent).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0.2, messages: [{ role: 'system', content: 'Answer in French.' }, {}] });
			expect(sent).not.toHaveProperty('n');
			const e = await failure(invoke('openai/gpt-4.1-mini', text('hello'), { temperature: 'hot' }));
			expect(e.kind).toBe('invalid_input');
		});

		it('reports a content-filter stop as a safety refusal', async () => {
			fake.refuseNext('content-filter');
			expect((await failure(invoke('openai/gpt-4o-mini', text('x')))).kind).toBe('safety');
		});
	});

	describe('vision', () => {
		it('sends the image inline as a PNG data URI, never as a URL', async () => {
			const result = await invoke('openai/gpt-4o-mini-vision', image);
			expect(result.output.kind).toBe('text');
			if (result.output.kind === 'text') expect(result.output.text).toContain(`image/png, ${png.byteLength} bytes`);
			const [message] = json('/v1/chat/completions')?.messages as Array<{ content: Array<{ type: string; text?: string; image_url?: { url: string; detail?: string } }> }>;
			expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Describe this image') });
			const { url, detail } = message.content[1].image_url ?? { url: '' };
			expect(url.startsWith('data:image/png;base64,')).toBe(true);
			expect(new Uint8Array(Buffer.from(url.split(',')[1], 'base64'))).toEqual(png);
			expect(url).not.toMatch(/localhost|127\.0\.0\.1|https?:/);
			expect(detail).toBe('low');
		});
	});

	describe('image generation', () => {
		it('decodes GPT Image’s base64 PNG and prices its token usage', async () => {
			const result = await invoke('openai/gpt-image-1', text('a red fox'));
			expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
			const sent = json('/v1/images/generations');
			expect(sent).toMatchObject({ model: 'gpt-image-1', prompt: 'a red fox', n: 1, quality: 'low', size: '1024x1024', output_format: 'png' });
			expect(sent).not.toHaveProperty('response_format');
			expect(result.metrics).toEqual({ imageCount: 1, inputTokens: 3, imageInputTokens: 0, outputTokens: 272, totalTokens: 275 });
			expect(result.costUsd).toBeCloseTo((3 * 5 + 272 * 40) / 1e6, 12);
		});

		it('asks DALL·E 3 for base64 and prices it per image', async () => {
			const result = await invoke('openai/dall-e-3', text('a blue whale'));
			expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
			const sent = json('/v1/images/generations');
			expect(sent).toMatchObject({ model: 'dall-e-3', response_format: 'b64_json', quality: 'standard' });
			expect(sent).not.toHaveProperty('output_format');
			expect(result.metrics).toEqual({ imageCount: 1 });
			expect(result.costUsd).toBeCloseTo(0.04, 12);
		});

		it('reports a content policy violation as a safety refusal', async () => {
			fake.refuseNext('image');
			const e = await failure(invoke('openai/gpt-image-1', text('something forbidden')));
			expect(e.kind).toBe('safety');
			expect(e.status).toBe(400);
			expect(e.requestId).toMatch(/^req_/);
			expect(e.message).not.toContain('safety system');
		});

		it('reports undecodable image bytes as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-image-1', text('x')))).kind).toBe('invalid_output');
		});
	});

	describe('image edit', () => {
		it('uploads the image as a multipart file with its bytes intact, with the default prompt', async () => {
			const result = await invoke('openai/gpt-image-1-edit', image);
			expect(result.output).toMatchObject({ kind: 'image', mime: 'image/png' });
			const call = fake.lastCall('/v1/images/edits');
			expect(call?.fields).toMatchObject({ model: 'gpt-image-1', prompt: EDIT_PROMPT, quality: 'low', output_format: 'png' });
			expect(call?.files?.image).toMatchObject({ name: 'input.png', type: 'image/png' });
			expect(call?.files?.image.bytes).toEqual(png);
			const words = EDIT_PROMPT.split(/\s+/).length;
			expect(result.metrics).toMatchObject({ imageCount: 1, inputTokens: words + 65, imageInputTokens: 65, outputTokens: 272 });
			expect(result.costUsd).toBeCloseTo((words * 5 + 65 * 10 + 272 * 40) / 1e6, 12);
		});

		it('reports refusals and answers without an image', async () => {
			fake.refuseNext('image');
			expect((await failure(invoke('openai/gpt-image-1-edit', image))).kind).toBe('safety');
			fake.malformNext();
			expect((await failure(invoke('openai/gpt-image-1-edit', image))).kind).toBe('invalid_output');
		});
	});

	describe('transcription', () => {
		it('uploads the WAV as a named file and prices Whisper by the billed duration', async () => {
			const result = await invoke('openai/whisper-1', audio);
			expect(result.output).toEqual({ kind: 'text', text: `Heard input.wav, ${wav.byteLength} bytes of audio/wav.` });
			const call = fake.lastCall('/v1/audio/transcriptions');
			expect(call?.fields).toMatchObject({ model: 'whisper-1', response_format: 'json' });
			expect(call?.files?.file.bytes).toEqual(wav);
			expect(result.metrics).toEqual({ audioSeconds: 3 });
			expect(result.costUsd).toBeCloseTo((0.006 * 3) / 60, 12);
		});

		it('prices by the WAV header’s duration when OpenAI reports tokens instead', async () => {
			const result = await invoke('openai/gpt-4o-mini-transcribe', audio, { language: 'en' });
			expect(fake.lastCall('/v1/audio/transcriptions')?.fields).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'en' });
			expect(result.metrics).toMatchObject({ audioSeconds: 2.5, inputTokens: 50 });
			expect(result.costUsd).toBeCloseTo((0.003 * 2.5) / 60, 12);
		});

		it('reports an empty transcript as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/whisper-1', audio))).kind).toBe('invalid_output');
		});
	});

	describe('speech', () => {
		it('returns WAV bytes and prices TTS 1 per character', async () => {
			const result = await invoke('openai/tts-1', text('hello world'));
			expect(result.output).toMatchObject({ kind: 'audio', mime: 'audio/wav' });
			expect(json('/v1/audio/speech')).toEqual({ model: 'tts-1', input: 'hello world', voice: 'alloy', response_format: 'wav' });
			expect(result.metrics).toEqual({ characters: 11, audioSeconds: 0.11 });
			expect(result.costUsd).toBeCloseTo((15 * 11) / 1e6, 12);
			expect(result.requestId).toMatch(/^req_/);
		});

		it('prices GPT-4o mini TTS by the minute of speech returned, with the node’s voice', async () => {
			const result = await invoke('openai/gpt-4o-mini-tts', text('hello world'), { voice: 'sage', instructions: 'Whisper it.' });
			expect(json('/v1/audio/speech')).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'sage', instructions: 'Whisper it.' });
			expect(result.costUsd).toBeCloseTo((0.015 * 0.11) / 60, 12);
			const e = await failure(invoke('openai/gpt-4o-mini-tts', text('x'), { voice: 'darth' }));
			expect(e.kind).toBe('invalid_input');
		});

		it('reports bytes that are not audio as invalid output', async () => {
			fake.malformNext();
			expect((await failure(invoke('openai/tts-1', text('x')))).kind).toBe('invalid_output');
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

	describe('failures', () => {
		it('reports a moderation block as a safety refusal and other 400s as invalid input', async () => {
			const route = 'POST /v1/chat/completions';
			fake.failNext(400, { route, body: { error: { message: 'blocked', type: 'invalid_request_error', param: null, code: 'moderation_blocked' } } });
			expect((await failure(invoke('openai/gpt-4o-mini', text('x')))).kind).toBe('safety');
			fake.failNext(400, { route });
			expect((await failure(invoke('openai/gpt-4o-mini', text('x')))).kind).toBe('invalid_input');
		});

		it('refuses a model without an OpenAI spec, the wrong modality, and a missing key, before any request', async () => {
			const before = fake.requests.length;
			const { openai: _spec, ...plain } = model('openai/gpt-4o-mini');
			expect((await failure(invoke(plain, text('x')))).kind).toBe('invalid_input');
			expect((await failure(invoke('openai/gpt-4o-mini', image))).kind).toBe('invalid_input');
			const e = await failure(invoke('openai/gpt-4o-mini', text('x'), {}, ''));
			expect(e.kind).toBe('auth');
			expect(fake.requests.length).toBe(before);
		});
	});
});

describe('openai catalogue', () => {
	it('has unique ids and complete entries', () => {
		expect(OPENAI_MODELS.length).toBeGreaterThanOrEqual(9);
		const ids = [...OPENAI_MODELS, ...OPENAI_EMBEDDERS].map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const m of [...OPENAI_MODELS, ...OPENAI_EMBEDDERS]) {
			expect(m.id).toMatch(/^openai\/[a-z0-9.-]+$/);
			expect(m.platform).toBe('openai');
			expect(m.homepage).toBe(`https://platform.openai.com/docs/models/${m.openai.model}`);
			expect(m.pricing).toBeTruthy();
			expect(Object.keys(m.openai.pricing).length).toBeGreaterThan(0);
		}
		for (const m of OPENAI_MODELS) expect(() => resolveParams(m, {})).not.toThrow();
		expect(OPENAI_EMBEDDERS[0]).toMatchObject({ id: 'openai/text-embedding-3-small', input: 'text', dimensions: 1536 });
	});

	it('covers the six directions OpenAI offers', () => {
		const directions = new Set(OPENAI_MODELS.map((m) => `${m.input}→${m.output}`));
		expect([...directions].sort()).toEqual(['audio→text', 'image→image', 'image→text', 'text→audio', 'text→image', 'text→text']);
	});
});
