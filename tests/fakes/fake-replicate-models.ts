/**
 * The models the fake Replicate knows out of the box: the curated ones, answering in the
 * output shapes the real models use (a list of image URLs, a token stream, Whisper's
 * object), with tiny but valid PNG and WAV files so adapters decode real bytes.
 */
import { createHash } from 'node:crypto';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import {
	BARK_SCHEMA,
	FLUX_SCHNELL_SCHEMA,
	LLAVA_SCHEMA,
	MUSICGEN_SCHEMA,
	WHISPER_SCHEMA,
	cogSchema,
	imageToTextSchema,
	textToImageSchema
} from './fake-replicate-schemas';

/** Serves output files from the fake and returns their URLs. */
export interface FakeFiles {
	png(): string;
	wav(): string;
}

export type FakeRun = (input: Record<string, unknown>, files: FakeFiles) => unknown;

export interface FakeReplicateModel {
	/** Official models run at POST /v1/models/{owner}/{name}/predictions. */
	official?: boolean;
	description?: string;
	/** The latest version's schema (also used to reject missing required inputs with 422). */
	openapiSchema?: Record<string, unknown>;
	run: FakeRun;
	/** Extra metrics beside `predict_time` (default 1.5 s). */
	metrics?: (input: Record<string, unknown>) => Record<string, number>;
}

/** A deterministic 64-hex version id for a model ref. */
export function fakeVersionId(ref: string): string {
	return createHash('sha256').update(ref).digest('hex');
}

/** A 2×2 PNG, coloured by `seed` so different calls give different bytes. */
export function tinyPng(seed = 0): Uint8Array {
	const rgb = new Uint8Array(12).map((_, i) => (seed * 37 + i * 20) % 256);
	return encodePng({ width: 2, height: 2, rgb });
}

/** A 0.1 s mono WAV at 8 kHz. */
export function tinyWav(): Uint8Array {
	const samples = new Float32Array(800).map((_, i) => Math.sin((i / 8000) * 2 * Math.PI * 440) * 0.5);
	return encodeWav({ sampleRate: 8000, samples });
}

const tokens = (text: string) => text.split(/(?<= )/);

/** A caption-ish sentence about whatever came in (a data URI's size, or the text). */
function describeInput(value: unknown): string {
	if (typeof value === 'string' && value.startsWith('data:')) {
		const kind = value.slice(5, value.indexOf(';'));
		return `a small picture sent as ${kind}, ${Math.round((value.length * 3) / 4)} bytes`;
	}
	return `something about ${String(value ?? 'nothing').slice(0, 60)}`;
}

function vector(text: string): number[] {
	const hash = createHash('sha256').update(text).digest();
	return Array.from({ length: 768 }, (_, i) => (hash[i % hash.length] - 128) / 128);
}

const uri = { type: 'string', format: 'uri' };

export const DEFAULT_FAKE_MODELS: Record<string, FakeReplicateModel> = {
	'black-forest-labs/flux-schnell': {
		official: true,
		description: 'The fastest image generation model tailored for local development and personal use',
		openapiSchema: FLUX_SCHNELL_SCHEMA,
		run: (_, files) => [files.png()]
	},
	'black-forest-labs/flux-kontext-pro': {
		official: true,
		openapiSchema: cogSchema({ prompt: { type: 'string' }, input_image: uri }, ['prompt'], { ...uri }),
		run: (_, files) => files.png()
	},
	'bytedance/sdxl-lightning-4step': { openapiSchema: textToImageSchema(), run: (_, files) => [files.png()] },
	'stability-ai/sdxl': { openapiSchema: textToImageSchema(), run: (_, files) => [files.png()] },
	'lucataco/moondream2': { openapiSchema: imageToTextSchema(true), run: (input) => tokens(`It shows ${describeInput(input.image)}.`) },
	'yorickvp/llava-13b': { openapiSchema: LLAVA_SCHEMA, run: (input) => tokens(`The image shows ${describeInput(input.image)}.`) },
	'salesforce/blip': { openapiSchema: imageToTextSchema(false), run: (input) => `Caption: ${describeInput(input.image)}` },
	'openai/whisper': {
		openapiSchema: WHISPER_SCHEMA,
		run: (input) => ({
			segments: [],
			transcription: ` I heard ${describeInput(input.audio)}.`,
			translation: null,
			detected_language: 'english'
		})
	},
	'meta/musicgen': { openapiSchema: MUSICGEN_SCHEMA, run: (_, files) => files.wav() },
	'suno-ai/bark': { openapiSchema: BARK_SCHEMA, run: (_, files) => ({ audio_out: files.wav(), prompt_npz: null }) },
	'meta/meta-llama-3-8b-instruct': {
		official: true,
		openapiSchema: cogSchema({ prompt: { type: 'string' } }, [], { type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator' }),
		run: (input) => tokens(`You said: ${String(input.prompt)}`),
		metrics: (input) => ({ input_token_count: String(input.prompt).split(' ').length, output_token_count: 12 })
	},
	'andreasjansson/clip-features': {
		openapiSchema: cogSchema({ inputs: { type: 'string' } }, [], { type: 'array', items: { type: 'object' } }),
		run: (input) => String(input.inputs).split('\n').map((text) => ({ input: text, embedding: vector(text) }))
	}
};
