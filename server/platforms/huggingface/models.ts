import type { EmbedderInfo, ModelInfo, ParamSpec } from '../../shared/platforms/types';
import type { HfProvider, HubTask } from './served';

/**
 * The curated Hugging Face catalogue: models PANIC calls through `@huggingface/inference`
 * with the owner's HF token, each on the inference provider that serves it (groq, novita,
 * nscale, replicate, deepinfra, hf-inference). Each entry carries its own call spec, so the
 * adapter needs no second table and an entry cannot drift from how it is called. What the
 * providers serve is in `served.ts`; a contract test keeps the two in step.
 */

/** Inference tasks the adapter knows how to call and read. */
export type HuggingFaceTask =
	| 'chat-completion'
	/** Chat completion with the input image as an `image_url` data URI beside a text prompt (VLMs). */
	| 'image-chat'
	| 'automatic-speech-recognition'
	| 'text-to-image'
	| 'image-to-image'
	| 'feature-extraction'
	// Kept for retired entries only: no provider PANIC can reach serves these any more.
	| 'image-to-text'
	| 'text-to-speech';

/** The task a call's mapping must have on the Hub (chat, with or without images, maps as `conversational`). */
export const HUB_TASK: Record<HuggingFaceTask, HubTask> = {
	'chat-completion': 'conversational',
	'image-chat': 'conversational',
	'automatic-speech-recognition': 'automatic-speech-recognition',
	'text-to-image': 'text-to-image',
	'image-to-image': 'image-to-image',
	'feature-extraction': 'feature-extraction',
	'image-to-text': 'image-to-text',
	'text-to-speech': 'text-to-speech'
};

/**
 * Providers PANIC lets a task run on: those whose whole exchange is one request through the
 * client's `fetch` (so tests reach a fake and the engine's abort and retry hold), and whose
 * output files PANIC downloads itself through its guarded downloader. Left out: fal-ai,
 * wavespeed and zai-org poll with the global `fetch` (to router URLs no option redirects);
 * replicate speech recognition may fetch a `txt_file` URL with it.
 */
export const CALLABLE_PROVIDERS: Record<HuggingFaceTask, readonly HfProvider[]> = {
	'chat-completion': ['groq', 'novita', 'cerebras', 'deepinfra', 'nscale', 'ovhcloud', 'together', 'hf-inference'],
	'image-chat': ['groq', 'novita', 'cerebras', 'deepinfra', 'nscale', 'ovhcloud', 'together', 'hf-inference'],
	'automatic-speech-recognition': ['hf-inference', 'deepinfra', 'together'],
	'text-to-image': ['nscale', 'hf-inference', 'together', 'deepinfra', 'replicate'],
	'image-to-image': ['replicate', 'hf-inference'],
	'feature-extraction': ['deepinfra', 'hf-inference', 'together', 'scaleway'],
	'image-to-text': ['hf-inference'],
	'text-to-speech': ['hf-inference']
};

export interface HuggingFaceSpec {
	task: HuggingFaceTask;
	/** The model's Hub repository, e.g. `openai/gpt-oss-20b`. */
	repo: string;
	/** The provider a node uses unless it picks another; the availability check answers for it. */
	provider: HfProvider;
	/** Every provider a node may pick (the default first): ones the Hub maps the model to and PANIC can call. */
	providers: readonly HfProvider[];
	/** Parameters always sent, after (and over) the node's: limits a node may not lift. */
	fixed?: Record<string, unknown>;
}

export interface HuggingFaceModelInfo extends ModelInfo {
	platform: 'huggingface';
	huggingface: HuggingFaceSpec;
}

export interface HuggingFaceEmbedderInfo extends EmbedderInfo {
	platform: 'huggingface';
	huggingface: HuggingFaceSpec;
}

/** When research last read the providers' pages (hub-docs HEAD) for the live entries. */
const CONFIRMED = '2026-08-21';

/**
 * Routed calls are billed to the token's account at the provider's own rates with no markup
 * (hub-docs pricing.md, 2026-08-22); the client reports no price, so PANIC estimates none.
 */
function pricing(provider: HfProvider): string {
	if (provider === 'hf-inference') return 'Billed by Hugging Face by compute time (Inference Providers credits; free accounts get $0.10 a month).';
	return `Billed to the owner's Hugging Face account at ${provider}'s own rates, no markup (Inference Providers credits; free accounts get $0.10 a month).`;
}

/** The node setting that picks where the model runs: one of the providers the entry lists. */
function providerParam(providers: readonly HfProvider[]): ParamSpec {
	return {
		key: 'provider',
		label: 'Inference provider',
		help: 'Which Hugging Face inference provider runs the model (all are billed to the same Hugging Face account).',
		kind: 'choice',
		options: providers,
		default: providers[0]
	};
}

const temperature = (value: number): ParamSpec => ({ key: 'temperature', label: 'Temperature', help: 'Higher is more surprising.', kind: 'number', min: 0, max: 2, step: 0.1, default: value });
const topP: ParamSpec = { key: 'top_p', label: 'Top p', help: 'Only the likeliest words that add up to this share are drawn from.', kind: 'number', min: 0, max: 1, step: 0.05 };

interface EntryOptions extends Pick<ModelInfo, 'name' | 'input' | 'output' | 'description'> {
	providers: readonly HfProvider[];
	params?: readonly ParamSpec[];
	fixed?: Record<string, unknown>;
	confirmed?: string;
	/** Why the entry is no longer offered; makes it deprecated. */
	retired?: string;
}

function model(repo: string, task: HuggingFaceTask, options: EntryOptions): HuggingFaceModelInfo {
	const [provider] = options.providers;
	return {
		id: `huggingface/${repo}`,
		platform: 'huggingface',
		name: options.name,
		input: options.input,
		output: options.output,
		description: options.retired ? `${options.description} Retired: ${options.retired}` : options.description,
		homepage: `https://huggingface.co/${repo}`,
		defaults: {},
		...(options.retired ? { deprecated: true } : {}),
		pricing: pricing(provider),
		params: [providerParam(options.providers), ...(options.params ?? [])],
		confirmed: options.confirmed ?? CONFIRMED,
		huggingface: { task, repo, provider, providers: options.providers, ...(options.fixed ? { fixed: options.fixed } : {}) }
	};
}

export const HUGGINGFACE_MODELS: readonly HuggingFaceModelInfo[] = [
	model('openai/gpt-oss-20b', 'chat-completion', {
		name: 'gpt-oss 20B',
		input: 'text',
		output: 'text',
		description: "OpenAI's open-weight reasoning model, answering the text it is given (the system prompt says how).",
		providers: ['groq', 'ovhcloud'],
		params: [
			{ key: 'system', label: 'System prompt', kind: 'text', maxLength: 2000, multiline: true, default: 'Answer the text you are given with one short paragraph of your own.' },
			temperature(0.8),
			topP
		],
		// Reasoning tokens count against the cap, so it leaves room for a thought and a paragraph.
		fixed: { max_tokens: 1000 }
	}),
	model('google/gemma-4-31B-it', 'image-chat', {
		name: 'Gemma 4 31B (vision)',
		input: 'image',
		output: 'text',
		description: "Google's open vision-language model: says what it sees, as the prompt asks.",
		providers: ['novita', 'cerebras', 'deepinfra'],
		params: [
			{ key: 'prompt', label: 'Prompt', help: 'What to ask about the image.', kind: 'text', maxLength: 1000, multiline: true, default: 'Describe this image in one or two sentences.' },
			temperature(0.7)
		],
		fixed: { max_tokens: 300 }
	}),
	model('black-forest-labs/FLUX.1-schnell', 'text-to-image', {
		name: 'FLUX.1 [schnell]',
		input: 'text',
		output: 'image',
		description: 'Fast text-to-image model: a detailed picture in four steps.',
		providers: ['nscale', 'hf-inference']
	}),
	model('black-forest-labs/FLUX.2-klein-9B', 'image-to-image', {
		name: 'FLUX.2 [klein] 9B edit',
		input: 'image',
		output: 'image',
		description: 'Edits an image by a written instruction (the prompt).',
		// Replicate answers within the one request (`Prefer: wait`); its output file is downloaded by PANIC.
		providers: ['replicate'],
		params: [{ key: 'prompt', label: 'Instruction', help: 'How to change the image.', kind: 'text', maxLength: 1000, multiline: true, default: 'Turn it into a watercolour painting' }]
	}),
	model('openai/whisper-large-v3', 'automatic-speech-recognition', {
		name: 'Whisper large v3',
		input: 'audio',
		output: 'text',
		description: 'Transcribes speech in many languages; hears words in noise and music too.',
		providers: ['hf-inference']
	}),

	// Retired: the providers no longer serve them (see served.ts), but old networks still load.
	model('HuggingFaceTB/SmolLM3-3B', 'chat-completion', {
		name: 'SmolLM3 3B',
		input: 'text',
		output: 'text',
		description: 'A small chat model that answers the text it is given.',
		providers: ['hf-inference'],
		params: [{ key: 'system', label: 'System prompt', kind: 'text', maxLength: 2000, multiline: true, default: 'Answer the text you are given with one short paragraph of your own. /no_think' }, temperature(0.8), topP],
		fixed: { max_tokens: 300 },
		retired: 'hf-inference stopped serving chat models in July 2026; use gpt-oss 20B.'
	}),
	model('timbrooks/instruct-pix2pix', 'image-to-image', {
		name: 'InstructPix2Pix',
		input: 'image',
		output: 'image',
		description: 'Edits an image by a written instruction.',
		providers: ['hf-inference'],
		params: [
			{ key: 'prompt', label: 'Instruction', kind: 'text', maxLength: 1000, multiline: true, default: 'Turn it into a watercolour painting' },
			{ key: 'num_inference_steps', label: 'Steps', kind: 'number', min: 1, max: 100, integer: true, default: 20 }
		],
		retired: 'hf-inference stopped serving image-to-image in April 2025; use FLUX.2 [klein] 9B edit.'
	}),
	model('Salesforce/blip-image-captioning-large', 'image-to-text', {
		name: 'BLIP captioning (large)',
		input: 'image',
		output: 'text',
		description: 'Describes an image in one short sentence.',
		providers: ['hf-inference'],
		retired: 'no Hugging Face provider lists image captioning on hf-inference any more; use Gemma 4 31B (vision).'
	}),
	model('nlpconnect/vit-gpt2-image-captioning', 'image-to-text', {
		name: 'ViT-GPT2 captioning',
		input: 'image',
		output: 'text',
		description: 'A small, older captioner: terse and often wrong in interesting ways.',
		providers: ['hf-inference'],
		retired: 'no Hugging Face provider lists image captioning on hf-inference any more; use Gemma 4 31B (vision).'
	}),
	model('facebook/mms-tts-eng', 'text-to-speech', {
		name: 'MMS text-to-speech (English)',
		input: 'text',
		output: 'audio',
		description: 'Reads English text aloud in a plain synthetic voice.',
		providers: ['hf-inference'],
		retired: 'hf-inference no longer lists text-to-speech, and no Hugging Face speech model is confirmed on another provider; use a Replicate or OpenAI voice.'
	}),
	model('stabilityai/stable-diffusion-xl-base-1.0', 'text-to-image', {
		name: 'Stable Diffusion XL',
		input: 'text',
		output: 'image',
		description: 'The classic open text-to-image model at 1024×1024.',
		providers: ['hf-inference'],
		params: [
			{ key: 'negative_prompt', label: 'Negative prompt', kind: 'text', maxLength: 1000 },
			{ key: 'guidance_scale', label: 'Guidance', kind: 'number', min: 0, max: 20, step: 0.5, default: 7 },
			{ key: 'num_inference_steps', label: 'Steps', kind: 'number', min: 1, max: 50, integer: true, default: 25 }
		],
		retired: 'hf-inference lists FLUX.1 [schnell] and SD3 for text-to-image, not SDXL; use FLUX.1 [schnell].'
	})
];

function embedder(repo: string, options: Pick<EmbedderInfo, 'name' | 'dimensions' | 'description'> & { provider: HfProvider; retired?: string }): HuggingFaceEmbedderInfo {
	return {
		id: `huggingface/${repo}`,
		platform: 'huggingface',
		name: options.name,
		input: 'text',
		dimensions: options.dimensions,
		description: options.retired ? `${options.description} Retired: ${options.retired}` : options.description,
		homepage: `https://huggingface.co/${repo}`,
		pricing: pricing(options.provider),
		confirmed: CONFIRMED,
		...(options.retired ? { deprecated: true } : {}),
		huggingface: { task: 'feature-extraction', repo, provider: options.provider, providers: [options.provider] }
	};
}

export const HUGGINGFACE_EMBEDDERS: readonly HuggingFaceEmbedderInfo[] = [
	embedder('Qwen/Qwen3-Embedding-0.6B', {
		name: 'Qwen3 Embedding 0.6B',
		dimensions: 1024,
		description: 'Multilingual sentence embeddings for comparing texts.',
		provider: 'deepinfra'
	}),
	embedder('sentence-transformers/all-MiniLM-L6-v2', {
		name: 'all-MiniLM-L6-v2',
		dimensions: 384,
		description: 'Small, fast sentence embeddings for comparing texts.',
		provider: 'hf-inference',
		retired: 'not listed on hf-inference since July 2025; use Qwen3 Embedding 0.6B.'
	})
];
