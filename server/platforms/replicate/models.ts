import type { Modality, ParamSpec } from '../../shared/platforms/types';
import {
	HARDWARE_USD_PER_SECOND,
	type Hardware,
	type ReplicateBilling,
	type ReplicateEmbedderInfo,
	type ReplicateModelInfo,
	type ReplicateSpec
} from './spec';
import { CLIP_EMBEDDINGS_VERSION, FLUX_ASPECT_RATIOS, KONTEXT_ASPECT_RATIOS, MINIMAX_EMOTIONS, WHISPER_VERSION } from './served';

/**
 * The curated Replicate models: a few well-known, cheap ones per direction, so a network
 * can be built without looking anything up. Official models ("always on, stable API,
 * predictable pricing") are preferred; community models either pin a version research could
 * tie to 2026 (whisper, CLIP embeddings) or run their latest version (resolved once per
 * process). Every entry's model is in `served.ts`, whose `evidence` says how sure that is;
 * entries marked unconfirmed there date `confirmed` from the catalogue's first check
 * (2026-11-30) and rely on the live availability check before a run. Prices only feed
 * estimates. Superseded entries stay, `deprecated`, so old networks keep loading.
 *
 * `params` are the settings a node may change, each one an input the model's schema has
 * (a test holds them to served.ts); `spec.input` holds what PANIC fixes (e.g. PNG output,
 * one image), which a node cannot change.
 */

function perSecond(hardware: Hardware): ReplicateBilling {
	return { per: 'second', usd: HARDWARE_USD_PER_SECOND[hardware], hardware };
}

function perSecondPricing(hardware: Hardware): string {
	return `billed per second on ${hardware} ($${HARDWARE_USD_PER_SECOND[hardware]}/s)`;
}

interface Entry {
	ref: string;
	name: string;
	input: Modality;
	output: Modality;
	description: string;
	pricing: string;
	confirmed: string;
	params: readonly ParamSpec[];
	defaults?: Record<string, unknown>;
	deprecated?: boolean;
	spec: Omit<ReplicateSpec, 'model'>;
}

function entry({ ref, name, input, output, description, pricing, confirmed, params, defaults = {}, deprecated, spec }: Entry): ReplicateModelInfo {
	return {
		id: `replicate/${ref}`,
		platform: 'replicate',
		name,
		input,
		output,
		description,
		homepage: `https://replicate.com/${ref}`,
		defaults,
		pricing,
		confirmed,
		params,
		...(deprecated ? { deprecated } : {}),
		replicate: { model: ref, ...spec }
	};
}

const seed: ParamSpec = { key: 'seed', label: 'Seed', help: 'The same seed and prompt give the same picture; empty for a new one each time.', kind: 'number', min: 0, max: 2147483647, integer: true };
const promptParam = (value: string, help: string): ParamSpec => ({ key: 'prompt', label: 'Prompt', help, kind: 'text', maxLength: 2000, multiline: true, default: value });

export const REPLICATE_MODELS: ReplicateModelInfo[] = [
	entry({
		ref: 'black-forest-labs/flux-schnell',
		name: 'FLUX.1 [schnell]',
		input: 'text',
		output: 'image',
		description: 'Fast text-to-image model from Black Forest Labs.',
		pricing: 'about $0.003 per image',
		confirmed: '2026-12-06',
		params: [
			{ key: 'aspect_ratio', label: 'Aspect ratio', kind: 'choice', options: FLUX_ASPECT_RATIOS, default: '1:1' },
			{ key: 'num_inference_steps', label: 'Steps', help: 'More steps, more detail (and a little slower).', kind: 'number', min: 1, max: 4, integer: true, default: 4 },
			seed,
			{ key: 'megapixels', label: 'Size', help: 'About 1 megapixel, or a quarter of that.', kind: 'choice', options: ['1', '0.25'], default: '1' },
			{ key: 'go_fast', label: 'Go fast', help: 'A quicker, slightly less faithful run.', kind: 'boolean', default: true }
		],
		spec: {
			official: true,
			inputField: 'prompt',
			// PNG, one image: lossless, so a loop's drift is the model's own, not JPEG/WebP's.
			input: { output_format: 'png', num_outputs: 1 },
			outputShape: 'file',
			billing: { per: 'output', usd: 0.003 }
		}
	}),
	entry({
		ref: 'black-forest-labs/flux-kontext-pro',
		name: 'FLUX.1 Kontext [pro]',
		input: 'image',
		output: 'image',
		description: 'Edits an image by instruction; the prompt setting says how.',
		pricing: 'about $0.04 per image',
		confirmed: '2026-12-06',
		params: [
			promptParam('Repaint this picture as a loose watercolour.', 'What to change in the picture.'),
			{ key: 'aspect_ratio', label: 'Aspect ratio', kind: 'choice', options: KONTEXT_ASPECT_RATIOS, default: 'match_input_image' },
			{ key: 'safety_tolerance', label: 'Safety tolerance', help: '0 is strictest; at most 2 with an input image.', kind: 'number', min: 0, max: 2, integer: true, default: 2 },
			{ key: 'prompt_upsampling', label: 'Expand the prompt', kind: 'boolean', default: false },
			seed
		],
		spec: {
			official: true,
			inputField: 'input_image',
			// png or jpg only: this model refuses webp with a 422.
			input: { output_format: 'png' },
			outputShape: 'file',
			billing: { per: 'output', usd: 0.04 }
		}
	}),
	entry({
		ref: 'minimax/speech-02-turbo',
		name: 'MiniMax Speech-02 Turbo',
		input: 'text',
		output: 'audio',
		description: 'Reads a text aloud (up to 5000 characters) in one of MiniMax’s voices.',
		pricing: 'billed per character of text, about $0.015 per 1000 characters',
		confirmed: '2026-12-06',
		params: [
			{ key: 'voice_id', label: 'Voice', help: 'A MiniMax voice id, e.g. Wise_Woman, Deep_Voice_Man, Calm_Woman, Friendly_Person.', kind: 'text', maxLength: 100, default: 'Wise_Woman' },
			{ key: 'emotion', label: 'Emotion', kind: 'choice', options: MINIMAX_EMOTIONS, default: 'auto' },
			{ key: 'speed', label: 'Speed', kind: 'number', min: 0.5, max: 2, step: 0.1, default: 1 },
			{ key: 'pitch', label: 'Pitch', help: 'Semitones up or down.', kind: 'number', min: -12, max: 12, integer: true, default: 0 },
			{ key: 'volume', label: 'Volume', kind: 'number', min: 0, max: 10, step: 0.1, default: 1 }
		],
		spec: {
			official: true,
			inputField: 'text',
			input: {},
			outputShape: 'file',
			billing: { per: 'character', usdPerThousand: 0.015 }
		}
	}),
	entry({
		ref: 'openai/whisper',
		name: 'Whisper',
		input: 'audio',
		output: 'text',
		description: 'OpenAI’s speech recognition (large-v3): transcribes speech in many languages.',
		pricing: perSecondPricing('Nvidia L40S'),
		confirmed: '2026-08-21',
		params: [
			{ key: 'language', label: 'Language', help: 'auto, or a language such as en, fr, de.', kind: 'text', maxLength: 30, default: 'auto' },
			{ key: 'translate', label: 'Translate to English', kind: 'boolean', default: false },
			{ key: 'initial_prompt', label: 'Context', help: 'Words or spelling the speech is likely to use.', kind: 'text', maxLength: 1000 },
			{ key: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 1, step: 0.1, default: 0 }
		],
		spec: {
			official: false,
			version: WHISPER_VERSION,
			inputField: 'audio',
			input: { transcription: 'plain text' },
			outputShape: 'text',
			outputField: 'transcription',
			billing: perSecond('Nvidia L40S')
		}
	}),
	// Unconfirmed for late 2026 (served.ts `evidence`): offered behind the live availability check.
	entry({
		ref: 'meta/meta-llama-3-8b-instruct',
		name: 'Llama 3 8B Instruct',
		input: 'text',
		output: 'text',
		description: 'Meta’s 8-billion-parameter chat model.',
		pricing: '$0.05 per million input tokens, $0.25 per million output tokens',
		confirmed: '2026-11-30',
		params: [
			{ key: 'system_prompt', label: 'System prompt', kind: 'text', maxLength: 2000, multiline: true, default: 'You are a helpful assistant' },
			{ key: 'max_tokens', label: 'Longest answer (tokens)', kind: 'number', min: 1, max: 4096, integer: true, default: 512 },
			{ key: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 5, step: 0.1, default: 0.6 },
			{ key: 'top_p', label: 'Top p', kind: 'number', min: 0, max: 1, step: 0.05, default: 0.9 }
		],
		spec: {
			official: true,
			inputField: 'prompt',
			input: {},
			outputShape: 'text',
			billing: { per: 'token', inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.25 }
		}
	}),
	// Unconfirmed for late 2026 (served.ts `evidence`): offered behind the live availability check.
	entry({
		ref: 'lucataco/moondream2',
		name: 'moondream2',
		input: 'image',
		output: 'text',
		description: 'A small vision-language model that describes an image.',
		pricing: perSecondPricing('Nvidia L40S'),
		confirmed: '2026-11-30',
		params: [promptParam('Describe this image.', 'What to ask about the picture.')],
		spec: { official: false, inputField: 'image', input: {}, outputShape: 'text', billing: perSecond('Nvidia L40S') }
	}),
	// Unconfirmed for late 2026 (served.ts `evidence`): offered behind the live availability check.
	entry({
		ref: 'bytedance/sdxl-lightning-4step',
		name: 'SDXL-Lightning (4 steps)',
		input: 'text',
		output: 'image',
		description: 'ByteDance’s distilled SDXL: a 1024px image in four steps.',
		pricing: perSecondPricing('Nvidia L40S'),
		confirmed: '2026-11-30',
		params: [
			{ key: 'negative_prompt', label: 'Avoid', kind: 'text', maxLength: 1000, default: 'worst quality, low quality' },
			{ key: 'width', label: 'Width', kind: 'number', min: 256, max: 1280, step: 64, integer: true, default: 1024 },
			{ key: 'height', label: 'Height', kind: 'number', min: 256, max: 1280, step: 64, integer: true, default: 1024 },
			seed
		],
		spec: { official: false, inputField: 'prompt', input: { num_outputs: 1 }, outputShape: 'file', billing: perSecond('Nvidia L40S') }
	}),
	// Unconfirmed for late 2026 (served.ts `evidence`): offered behind the live availability check.
	entry({
		ref: 'meta/musicgen',
		name: 'MusicGen',
		input: 'text',
		output: 'audio',
		description: 'Meta’s music generation from a text description (8 s by default).',
		pricing: perSecondPricing('Nvidia A100 (80GB)'),
		confirmed: '2026-11-30',
		params: [
			{ key: 'duration', label: 'Length (seconds)', kind: 'number', min: 1, max: 30, integer: true, default: 8 },
			{ key: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 2, step: 0.1, default: 1 },
			seed
		],
		spec: {
			official: false,
			inputField: 'prompt',
			input: { output_format: 'wav', model_version: 'stereo-melody-large', normalization_strategy: 'peak' },
			outputShape: 'file',
			billing: perSecond('Nvidia A100 (80GB)')
		}
	}),
	// Superseded: kept so old networks load, hidden from the palette.
	entry({
		ref: 'stability-ai/sdxl',
		name: 'Stable Diffusion XL',
		input: 'text',
		output: 'image',
		description: 'Stability AI’s SDXL base model. Superseded by FLUX.1 [schnell] (faster, cheaper, official).',
		pricing: perSecondPricing('Nvidia L40S'),
		confirmed: '2026-11-30',
		deprecated: true,
		params: [{ key: 'negative_prompt', label: 'Avoid', kind: 'text', maxLength: 1000 }, seed],
		spec: { official: false, inputField: 'prompt', input: { num_outputs: 1 }, outputShape: 'file', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'yorickvp/llava-13b',
		name: 'LLaVA 13B',
		input: 'image',
		output: 'text',
		description: 'Visual instruction-tuned LLaMA (2023). Superseded by moondream2.',
		pricing: perSecondPricing('Nvidia L40S'),
		confirmed: '2026-11-30',
		deprecated: true,
		params: [promptParam('Describe this image.', 'What to ask about the picture.')],
		spec: { official: false, inputField: 'image', input: {}, outputShape: 'text', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'salesforce/blip',
		name: 'BLIP',
		input: 'image',
		output: 'text',
		description: 'Salesforce’s BLIP image captioning (2022). Superseded by moondream2.',
		pricing: perSecondPricing('Nvidia T4'),
		confirmed: '2026-11-30',
		deprecated: true,
		params: [],
		spec: {
			official: false,
			inputField: 'image',
			input: { task: 'image_captioning' },
			outputShape: 'text',
			stripPrefix: 'Caption:',
			billing: perSecond('Nvidia T4')
		}
	}),
	entry({
		ref: 'suno-ai/bark',
		name: 'Bark',
		input: 'text',
		output: 'audio',
		description: 'Suno’s text-to-audio (2023). Superseded by MiniMax Speech-02 Turbo for speech.',
		pricing: perSecondPricing('Nvidia A100 (80GB)'),
		confirmed: '2026-11-30',
		deprecated: true,
		params: [{ key: 'text_temp', label: 'Temperature', kind: 'number', min: 0, max: 1, step: 0.05, default: 0.7 }],
		spec: { official: false, inputField: 'prompt', input: {}, outputShape: 'file', outputField: 'audio_out', billing: perSecond('Nvidia A100 (80GB)') }
	})
];

/**
 * CLIP ViT-L/14 embeddings, as two embedders (text and image) sharing one 768-dimensional
 * space, so loop analysis can compare a caption with the picture it came from.
 * krthr/clip-embeddings takes `text`, or `image` as a real file input, and answers
 * `{ embedding }`; its version is pinned.
 */
const CLIP_REF = 'krthr/clip-embeddings';
function clipEmbedder(input: 'text' | 'image'): ReplicateEmbedderInfo {
	return {
		id: `replicate/${CLIP_REF}/${input}`,
		platform: 'replicate',
		name: `CLIP embeddings (${input})`,
		input,
		dimensions: 768,
		description: `CLIP ViT-L/14 embedding of ${input === 'text' ? 'a text' : 'an image'}; texts and images share one space.`,
		homepage: `https://replicate.com/${CLIP_REF}`,
		pricing: `${perSecondPricing('Nvidia T4')}; about $0.0002–0.0007 per call`,
		confirmed: '2026-12-06',
		replicate: { model: CLIP_REF, version: CLIP_EMBEDDINGS_VERSION, official: false, inputField: input, input: {}, billing: perSecond('Nvidia T4') }
	};
}

/**
 * The embedders PANIC offered before: andreasjansson/clip-features reads newline-separated
 * `inputs` and treats only http(s) lines as images, so the data URI PANIC sent made an
 * "image" embedding a text embedding. Both ids stay for analyses that name them; the image
 * one now runs on krthr/clip-embeddings (the same CLIP ViT-L/14 space), so it finally
 * embeds the picture.
 */
const OLD_CLIP_REF = 'andreasjansson/clip-features';
const oldClip = (input: 'text' | 'image'): ReplicateEmbedderInfo => ({
	...clipEmbedder(input),
	id: `replicate/${OLD_CLIP_REF}/${input}`,
	name: `CLIP features (${input}, superseded)`,
	homepage: `https://replicate.com/${OLD_CLIP_REF}`,
	deprecated: true,
	...(input === 'text'
		? { confirmed: '2026-12-06', replicate: { model: OLD_CLIP_REF, official: false, inputField: 'inputs', input: {}, billing: perSecond('Nvidia T4') } }
		: {})
});

export const REPLICATE_EMBEDDERS: ReplicateEmbedderInfo[] = [clipEmbedder('text'), clipEmbedder('image'), oldClip('text'), oldClip('image')];
