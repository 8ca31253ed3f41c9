/**
 * What real Replicate serves, as far as PANIC knows: each model the catalogue names (and the
 * pinned versions it uses), with the shape of its `Input` and of its output, and the models
 * known to be gone. Kept beside the catalogue so one test can hold the two together (every
 * curated entry must be served here) and the fake Replicate serves exactly these models —
 * nothing the real service would refuse can pass the tests by accident.
 *
 * Sources: /work/research/issue12-models.md §1.2 and §6 (desk research of 2026-12-06; the
 * Replicate model and version pages, Replicate's OpenAPI, Hugging Face's provider mapping).
 * `evidence` says how sure each row is: `confirmed` (a primary source states it),
 * `third-party` (only others' code and blogs agree), `unconfirmed` (nothing from 2026 was found;
 * the shape is the one PANIC used before and the live availability check decides).
 */

/** One `Input` property, in the few shapes Cog writes them. */
export type ServedInput =
	| { type: 'string'; default?: string; maxLength?: number }
	| { type: 'integer' | 'number'; minimum?: number; maximum?: number; default?: number }
	| { type: 'boolean'; default?: boolean }
	| { type: 'enum'; values: readonly (string | number)[]; default?: string | number }
	/** A Cog `Path`: a URL (https, a files-API URL) or a data URI. */
	| { type: 'file' };

/** What a finished prediction's `output` holds. */
export type ServedOutput =
	| { type: 'file'; media: 'image' | 'audio' | 'other' }
	| { type: 'text' }
	| { type: 'vector'; dimensions: number }
	/** `iterator`: a token stream (Cog's `x-cog-array-type: iterator`), joined by readers. */
	| { type: 'list'; of: ServedOutput; iterator?: boolean }
	| { type: 'object'; fields: Readonly<Record<string, ServedOutput | { type: 'other' }>> };

export interface ServedModel {
	/** `owner/name`. */
	ref: string;
	/** Official models run by name (POST /v1/models/{owner}/{name}/predictions), "always on". */
	official: boolean;
	/** Versions known to be served, newest first; the first is `latest_version`. Absent: not pinned, id unknown. */
	versions?: readonly string[];
	required: readonly string[];
	inputs: Readonly<Record<string, ServedInput>>;
	output: ServedOutput;
	evidence: 'confirmed' | 'third-party' | 'unconfirmed';
	/** Date of the source the shape was read from (ISO). */
	source: string;
}

/** A model (or one of its versions) Replicate no longer serves. */
export interface RemovedModel {
	ref: string;
	/** Only this version is gone; without it, the whole model. */
	version?: string;
	/** When it stopped (ISO date). */
	since: string;
	why: string;
}

const file = { type: 'file' } as const;
const text = (extra: { default?: string; maxLength?: number } = {}): ServedInput => ({ type: 'string', ...extra });
const int = (minimum?: number, maximum?: number, value?: number): ServedInput => ({ type: 'integer', minimum, maximum, default: value });
const num = (minimum?: number, maximum?: number, value?: number): ServedInput => ({ type: 'number', minimum, maximum, default: value });
const bool = (value: boolean): ServedInput => ({ type: 'boolean', default: value });
const choice = (values: readonly (string | number)[], value: string | number): ServedInput => ({ type: 'enum', values, default: value });

const tokens: ServedOutput = { type: 'list', of: { type: 'text' }, iterator: true };
const images: ServedOutput = { type: 'list', of: { type: 'file', media: 'image' } };

export const FLUX_ASPECT_RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'] as const;
export const KONTEXT_ASPECT_RATIOS = ['match_input_image', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9', '9:21', '2:1', '1:2'] as const;
export const MINIMAX_EMOTIONS = ['auto', 'neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** openai/whisper's version that Hugging Face's router maps whisper-large-v3 to (hub-docs, 2026-08). */
export const WHISPER_VERSION = '8099696689d249cf8b122d833c36ac3f75505c666a395ca40ef26f68e7d3d16e';
/** krthr/clip-embeddings' version that third-party 2026 code runs. */
export const CLIP_EMBEDDINGS_VERSION = '1c0371070cb827ec3c7f2f28adcdde54b50dcd239aa6faea0bc98b174ef03fb4';

export const REPLICATE_SERVED: readonly ServedModel[] = [
	{
		ref: 'black-forest-labs/flux-schnell',
		official: true,
		required: ['prompt'],
		inputs: {
			prompt: text(),
			aspect_ratio: choice(FLUX_ASPECT_RATIOS, '1:1'),
			num_outputs: int(1, 4, 1),
			num_inference_steps: int(1, 4, 4),
			seed: int(),
			output_format: choice(['webp', 'jpg', 'png'], 'webp'),
			output_quality: int(0, 100, 80),
			disable_safety_checker: bool(false),
			go_fast: bool(true),
			megapixels: choice(['1', '0.25'], '1')
		},
		output: images,
		evidence: 'confirmed',
		source: '2026-12-06'
	},
	{
		ref: 'black-forest-labs/flux-kontext-pro',
		official: true,
		required: ['prompt'],
		inputs: {
			prompt: text(),
			input_image: file,
			aspect_ratio: choice(KONTEXT_ASPECT_RATIOS, 'match_input_image'),
			// Not webp: a real 422 for `webp` was seen ("must be one of the following: jpg, png").
			output_format: choice(['jpg', 'png'], 'png'),
			seed: int(),
			safety_tolerance: int(0, 6, 2),
			prompt_upsampling: bool(false)
		},
		output: { type: 'file', media: 'image' },
		evidence: 'third-party',
		source: '2026-12-06'
	},
	{
		ref: 'minimax/speech-02-turbo',
		official: true,
		required: ['text'],
		inputs: {
			text: text({ maxLength: 5000 }),
			voice_id: text({ default: 'Wise_Woman' }),
			speed: num(0.5, 2, 1),
			volume: num(0, 10, 1),
			pitch: int(-12, 12, 0),
			emotion: choice(MINIMAX_EMOTIONS, 'auto'),
			sample_rate: choice([8000, 16000, 22050, 24000, 32000, 44100], 32000),
			bitrate: choice([32000, 64000, 128000, 256000], 128000),
			channel: choice(['mono', 'stereo'], 'mono'),
			language_boost: text({ default: 'None' }),
			english_normalization: bool(false)
		},
		output: { type: 'file', media: 'audio' },
		evidence: 'confirmed',
		source: '2026-12-06'
	},
	{
		ref: 'openai/whisper',
		official: false,
		versions: [WHISPER_VERSION],
		required: ['audio'],
		inputs: {
			audio: file,
			transcription: choice(['plain text', 'srt', 'vtt'], 'plain text'),
			translate: bool(false),
			language: text({ default: 'auto' }),
			temperature: num(undefined, undefined, 0),
			initial_prompt: text(),
			condition_on_previous_text: bool(true),
			no_speech_threshold: num(undefined, undefined, 0.6)
		},
		output: {
			type: 'object',
			fields: {
				segments: { type: 'other' },
				transcription: { type: 'text' },
				translation: { type: 'text' },
				txt_file: { type: 'file', media: 'other' },
				srt_file: { type: 'file', media: 'other' },
				detected_language: { type: 'text' }
			}
		},
		evidence: 'confirmed',
		source: '2026-08-21'
	},
	{
		ref: 'meta/meta-llama-3-8b-instruct',
		official: true,
		required: [],
		inputs: {
			prompt: text({ default: '' }),
			system_prompt: text({ default: 'You are a helpful assistant' }),
			max_tokens: int(1, undefined, 512),
			min_tokens: int(0, undefined, 0),
			temperature: num(0, 5, 0.6),
			top_p: num(0, 1, 0.9),
			top_k: int(0, undefined, 50),
			presence_penalty: num(undefined, undefined, 1.15),
			frequency_penalty: num(undefined, undefined, 0.2),
			stop_sequences: text()
		},
		output: tokens,
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'lucataco/moondream2',
		official: false,
		required: ['image'],
		inputs: { image: file, prompt: text({ default: 'Describe this image' }) },
		output: tokens,
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'krthr/clip-embeddings',
		official: false,
		versions: [CLIP_EMBEDDINGS_VERSION],
		required: [],
		inputs: { text: text(), image: file },
		output: { type: 'object', fields: { embedding: { type: 'vector', dimensions: 768 } } },
		evidence: 'third-party',
		source: '2026-12-06'
	},
	{
		ref: 'andreasjansson/clip-features',
		official: false,
		required: [],
		// Newline-separated texts, or http(s) image URLs: a data URI is read as text.
		inputs: { inputs: text() },
		output: { type: 'list', of: { type: 'object', fields: { input: { type: 'text' }, embedding: { type: 'vector', dimensions: 768 } } } },
		evidence: 'confirmed',
		source: '2026-12-06'
	},
	{
		ref: 'bytedance/sdxl-lightning-4step',
		official: false,
		required: [],
		inputs: {
			prompt: text(),
			negative_prompt: text({ default: 'worst quality, low quality' }),
			width: int(256, 1280, 1024),
			height: int(256, 1280, 1024),
			num_outputs: int(1, 4, 1),
			num_inference_steps: int(1, 10, 4),
			guidance_scale: num(0, 50, 0),
			seed: int(),
			disable_safety_checker: bool(false)
		},
		output: images,
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'stability-ai/sdxl',
		official: false,
		required: [],
		inputs: {
			prompt: text(),
			negative_prompt: text(),
			image: file,
			width: int(undefined, undefined, 1024),
			height: int(undefined, undefined, 1024),
			num_outputs: int(1, 4, 1),
			num_inference_steps: int(1, 500, 50),
			guidance_scale: num(1, 50, 7.5),
			seed: int(),
			refine: choice(['no_refiner', 'expert_ensemble_refiner', 'base_image_refiner'], 'no_refiner')
		},
		output: images,
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'yorickvp/llava-13b',
		official: false,
		required: ['image', 'prompt'],
		inputs: { image: file, prompt: text(), top_p: num(0, 1, 1), temperature: num(0, undefined, 0.2), max_tokens: int(0, undefined, 1024) },
		output: tokens,
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'salesforce/blip',
		official: false,
		required: ['image'],
		inputs: {
			image: file,
			task: choice(['image_captioning', 'visual_question_answering', 'image_text_matching'], 'image_captioning'),
			question: text(),
			caption: text()
		},
		output: { type: 'text' },
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'suno-ai/bark',
		official: false,
		required: [],
		inputs: { prompt: text({ default: 'Hello, my name is Suno.' }), text_temp: num(0, 1, 0.7), waveform_temp: num(0, 1, 0.7), output_full: bool(false) },
		output: { type: 'object', fields: { audio_out: { type: 'file', media: 'audio' }, prompt_npz: { type: 'file', media: 'other' } } },
		evidence: 'unconfirmed',
		source: '2026-11-30'
	},
	{
		ref: 'meta/musicgen',
		official: false,
		required: [],
		inputs: {
			prompt: text(),
			input_audio: file,
			duration: int(1, undefined, 8),
			model_version: choice(['stereo-melody-large', 'stereo-large', 'melody-large', 'large'], 'stereo-melody-large'),
			output_format: choice(['wav', 'mp3'], 'wav'),
			normalization_strategy: choice(['loudness', 'clip', 'peak', 'rms'], 'loudness'),
			temperature: num(0, undefined, 1),
			seed: int()
		},
		output: { type: 'file', media: 'audio' },
		evidence: 'unconfirmed',
		source: '2026-11-30'
	}
];

export const REPLICATE_REMOVED: readonly RemovedModel[] = [
	{
		ref: 'openai/gpt-5-nano',
		since: '2026-12-11',
		why: 'Replicate’s official wrapper of OpenAI’s gpt-5-nano, which OpenAI shuts down on 2026-12-11.'
	}
];

const BY_REF = new Map(REPLICATE_SERVED.map((m) => [m.ref, m]));

/** The served model behind `ref`, if Replicate serves it (and `version`, when given). */
export function servedModel(ref: string, version?: string): ServedModel | undefined {
	const model = BY_REF.get(ref);
	if (!model || REPLICATE_REMOVED.some((r) => r.ref === ref && (r.version === undefined || r.version === version))) return undefined;
	if (version !== undefined && !model.versions?.includes(version)) return undefined;
	return model;
}

/** Whether `value` is one the served input takes (what Replicate's validation would accept). */
function takes(input: ServedInput, value: unknown): boolean {
	switch (input.type) {
		case 'file':
			return typeof value === 'string';
		case 'string':
			return typeof value === 'string' && (input.maxLength === undefined || value.length <= input.maxLength);
		case 'boolean':
			return typeof value === 'boolean';
		case 'enum':
			return input.values.includes(value as string | number);
		case 'integer':
		case 'number':
			return (
				typeof value === 'number' &&
				(input.type === 'number' || Number.isInteger(value)) &&
				(input.minimum === undefined || value >= input.minimum) &&
				(input.maximum === undefined || value <= input.maximum)
			);
	}
}

function outputKinds(o: ServedOutput | { type: 'other' }): Set<'file' | 'text' | 'vector'> {
	switch (o.type) {
		case 'file':
			return new Set(['file']);
		case 'text':
			return new Set(['text']);
		case 'vector':
			return new Set(['vector']);
		case 'list':
			return outputKinds(o.of);
		default:
			return new Set();
	}
}

/**
 * How a catalogue entry (its Replicate spec and settings) disagrees with what Replicate
 * serves: an empty list when every part of its request is one the served model takes.
 * The catalogue's contract test runs every entry through this.
 */
export function servedMismatches(
	spec: { model: string; version?: string; inputField: string; input: Record<string, unknown>; outputShape?: 'file' | 'text'; outputField?: string },
	params: readonly { key: string; kind: string; default?: unknown; options?: readonly string[]; min?: number; max?: number; integer?: boolean }[] = []
): string[] {
	const served = servedModel(spec.model, spec.version);
	if (!served) return [`Replicate does not serve ${spec.model}${spec.version ? `:${spec.version}` : ''} (not in served.ts)`];
	const out: string[] = [];
	const inputs = served.inputs;
	if (!inputs[spec.inputField]) out.push(`${spec.model} takes no \`${spec.inputField}\``);
	for (const [key, value] of Object.entries(spec.input)) {
		if (!inputs[key]) out.push(`${spec.model} takes no \`${key}\``);
		else if (!takes(inputs[key], value)) out.push(`${spec.model} refuses ${JSON.stringify(value)} as \`${key}\``);
	}
	for (const p of params) {
		const input = inputs[p.key];
		if (!input) {
			out.push(`${spec.model} takes no \`${p.key}\``);
			continue;
		}
		const samples = [p.default, ...(p.options ?? []), p.min, p.max].filter((v) => v !== undefined);
		if (p.kind === 'boolean' && input.type !== 'boolean') out.push(`\`${p.key}\` is not a boolean on ${spec.model}`);
		if (p.kind === 'text' && input.type !== 'string') out.push(`\`${p.key}\` is not text on ${spec.model}`);
		if (p.kind === 'number' && input.type !== 'integer' && input.type !== 'number') out.push(`\`${p.key}\` is not a number on ${spec.model}`);
		if (p.kind === 'number' && input.type === 'integer' && !p.integer) out.push(`\`${p.key}\` takes whole numbers on ${spec.model}`);
		for (const value of samples) if (!takes(input, value)) out.push(`${spec.model} refuses ${JSON.stringify(value)} as \`${p.key}\``);
	}
	if (spec.outputShape) {
		let output: ServedOutput | { type: 'other' } = served.output;
		if (spec.outputField) output = served.output.type === 'object' ? (served.output.fields[spec.outputField] ?? { type: 'other' }) : { type: 'other' };
		if (!outputKinds(output).has(spec.outputShape)) out.push(`${spec.model}'s output is not ${spec.outputShape}${spec.outputField ? ` in \`${spec.outputField}\`` : ''}`);
	}
	return out;
}
