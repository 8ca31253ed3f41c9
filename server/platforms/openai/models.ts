import type { EmbedderInfo, ModelInfo } from '../types';

/**
 * PANIC's curated OpenAI models. OpenAI has no per-model input/output schema to read, so
 * each entry says here which endpoint serves it, which API model to name, which parameters
 * are fixed for PANIC (a system prompt that keeps loops lively, cheap sizes and qualities),
 * and what it costs, so the adapter can estimate a call's price from what OpenAI reports.
 *
 * Prices are OpenAI's list prices in US dollars when these entries were written; they are
 * estimates for people choosing models and for run budgets, not invoices.
 */

/** Which OpenAI endpoint a model is called through. */
export type OpenAIEndpoint = 'chat' | 'vision' | 'image' | 'image-edit' | 'transcribe' | 'speech';

/** List prices; each call's cost is estimated from whichever of these apply. */
export interface OpenAIPricing {
	/** Dollars per 1M input (prompt) tokens. */
	inputPerMTokens?: number;
	/** Dollars per 1M image input tokens (GPT Image edits), when they differ from text. */
	imageInputPerMTokens?: number;
	/** Dollars per 1M output (completion) tokens. */
	outputPerMTokens?: number;
	/** Dollars per image, used when the response reports no token usage. */
	perImage?: number;
	/** Dollars per minute of audio (transcription input, or speech output). */
	perAudioMinute?: number;
	/** Dollars per 1M characters of input text (classic text-to-speech). */
	perMCharacters?: number;
}

/** How PANIC calls one OpenAI model. */
export interface OpenAISpec {
	endpoint: OpenAIEndpoint;
	/** The model name the API expects, e.g. `gpt-4o-mini`. */
	model: string;
	/** Parameters fixed for PANIC; a node's params (from the known keys only) go over them. */
	params: Record<string, string | number>;
	pricing: OpenAIPricing;
}

export interface OpenAIModelInfo extends ModelInfo {
	platform: 'openai';
	openai: OpenAISpec;
}

export interface OpenAIEmbedderInfo extends EmbedderInfo {
	platform: 'openai';
	openai: { model: string; pricing: Pick<OpenAIPricing, 'inputPerMTokens'> };
}

const homepage = (model: string) => `https://platform.openai.com/docs/models/${model}`;

/** Asked of chat models so a text → text hop keeps turning text into something paintable. */
export const CHAT_SYSTEM_PROMPT =
	'Rewrite the text as a short, vivid description of an image: one or two sentences, concrete nouns, colours and light. Reply with the description only.';
export const VISION_PROMPT = 'Describe this image in one or two vivid sentences. Reply with the description only.';
export const EDIT_PROMPT = 'Repaint this image as a bold, dreamlike painting, keeping its main shapes.';

/** Per token when the response reports usage (it does for GPT Image), else per image. */
const GPT_IMAGE_PRICING: OpenAIPricing = { inputPerMTokens: 5, imageInputPerMTokens: 10, outputPerMTokens: 40, perImage: 0.011 };

export const OPENAI_MODELS: OpenAIModelInfo[] = [
	{
		id: 'openai/gpt-4o-mini',
		platform: 'openai',
		name: 'GPT-4o mini',
		input: 'text',
		output: 'text',
		description: 'Fast, cheap chat model; rewrites its input as a vivid image description.',
		homepage: homepage('gpt-4o-mini'),
		defaults: { system: CHAT_SYSTEM_PROMPT, temperature: 1 },
		pricing: '$0.15 / $0.60 per 1M input / output tokens',
		openai: {
			endpoint: 'chat',
			model: 'gpt-4o-mini',
			params: { system: CHAT_SYSTEM_PROMPT, max_completion_tokens: 200 },
			pricing: { inputPerMTokens: 0.15, outputPerMTokens: 0.6 }
		}
	},
	{
		id: 'openai/gpt-4.1-mini',
		platform: 'openai',
		name: 'GPT-4.1 mini',
		input: 'text',
		output: 'text',
		description: 'Stronger small chat model; rewrites its input as a vivid image description.',
		homepage: homepage('gpt-4.1-mini'),
		defaults: { system: CHAT_SYSTEM_PROMPT, temperature: 1 },
		pricing: '$0.40 / $1.60 per 1M input / output tokens',
		openai: {
			endpoint: 'chat',
			model: 'gpt-4.1-mini',
			params: { system: CHAT_SYSTEM_PROMPT, max_completion_tokens: 200 },
			pricing: { inputPerMTokens: 0.4, outputPerMTokens: 1.6 }
		}
	},
	{
		id: 'openai/gpt-4o-mini-vision',
		platform: 'openai',
		name: 'GPT-4o mini (vision)',
		input: 'image',
		output: 'text',
		description: 'Describes an image in a sentence or two.',
		homepage: homepage('gpt-4o-mini'),
		defaults: { prompt: VISION_PROMPT },
		pricing: '$0.15 / $0.60 per 1M input / output tokens (a low-detail image is about 2,800 tokens)',
		openai: {
			endpoint: 'vision',
			model: 'gpt-4o-mini',
			params: { prompt: VISION_PROMPT, detail: 'low', max_completion_tokens: 200 },
			pricing: { inputPerMTokens: 0.15, outputPerMTokens: 0.6 }
		}
	},
	{
		id: 'openai/gpt-image-1',
		platform: 'openai',
		name: 'GPT Image 1',
		input: 'text',
		output: 'image',
		description: 'OpenAI’s image generator, at low quality and 1024×1024 to keep it quick and cheap.',
		homepage: homepage('gpt-image-1'),
		defaults: { quality: 'low', size: '1024x1024' },
		pricing: 'about $0.011 per low-quality 1024×1024 image',
		openai: {
			endpoint: 'image',
			model: 'gpt-image-1',
			params: { quality: 'low', size: '1024x1024', output_format: 'png' },
			pricing: GPT_IMAGE_PRICING
		}
	},
	{
		id: 'openai/dall-e-3',
		platform: 'openai',
		name: 'DALL·E 3',
		input: 'text',
		output: 'image',
		description: 'OpenAI’s earlier image generator, standard quality, 1024×1024.',
		homepage: homepage('dall-e-3'),
		defaults: { quality: 'standard', size: '1024x1024' },
		pricing: '$0.04 per standard 1024×1024 image',
		openai: {
			endpoint: 'image',
			model: 'dall-e-3',
			params: { quality: 'standard', size: '1024x1024', response_format: 'b64_json' },
			pricing: { perImage: 0.04 }
		}
	},
	{
		id: 'openai/gpt-image-1-edit',
		platform: 'openai',
		name: 'GPT Image 1 (edit)',
		input: 'image',
		output: 'image',
		description: 'Repaints an image following a prompt (by default: as a bold, dreamlike painting).',
		homepage: homepage('gpt-image-1'),
		defaults: { prompt: EDIT_PROMPT, quality: 'low' },
		pricing: 'about $0.015 per low-quality 1024×1024 edit',
		openai: {
			endpoint: 'image-edit',
			model: 'gpt-image-1',
			params: { prompt: EDIT_PROMPT, quality: 'low', size: '1024x1024', output_format: 'png' },
			pricing: { ...GPT_IMAGE_PRICING, perImage: 0.015 }
		}
	},
	{
		id: 'openai/whisper-1',
		platform: 'openai',
		name: 'Whisper',
		input: 'audio',
		output: 'text',
		description: 'Transcribes speech in many languages.',
		homepage: homepage('whisper-1'),
		defaults: {},
		pricing: '$0.006 per minute of audio',
		openai: { endpoint: 'transcribe', model: 'whisper-1', params: {}, pricing: { perAudioMinute: 0.006 } }
	},
	{
		id: 'openai/gpt-4o-mini-transcribe',
		platform: 'openai',
		name: 'GPT-4o mini Transcribe',
		input: 'audio',
		output: 'text',
		description: 'Newer, cheaper speech-to-text model.',
		homepage: homepage('gpt-4o-mini-transcribe'),
		defaults: {},
		pricing: 'about $0.003 per minute of audio',
		openai: { endpoint: 'transcribe', model: 'gpt-4o-mini-transcribe', params: {}, pricing: { perAudioMinute: 0.003 } }
	},
	{
		id: 'openai/tts-1',
		platform: 'openai',
		name: 'TTS 1',
		input: 'text',
		output: 'audio',
		description: 'Reads text aloud (voice “alloy” unless a node picks another).',
		homepage: homepage('tts-1'),
		defaults: { voice: 'alloy' },
		pricing: '$15 per 1M characters',
		openai: {
			endpoint: 'speech',
			model: 'tts-1',
			params: { voice: 'alloy', response_format: 'wav' },
			pricing: { perMCharacters: 15 }
		}
	},
	{
		id: 'openai/gpt-4o-mini-tts',
		platform: 'openai',
		name: 'GPT-4o mini TTS',
		input: 'text',
		output: 'audio',
		description: 'Reads text aloud, steerable with instructions (voice “coral” unless a node picks another).',
		homepage: homepage('gpt-4o-mini-tts'),
		defaults: { voice: 'coral' },
		pricing: 'about $0.015 per minute of speech',
		openai: {
			endpoint: 'speech',
			model: 'gpt-4o-mini-tts',
			params: { voice: 'coral', response_format: 'wav' },
			pricing: { perAudioMinute: 0.015 }
		}
	}
];

export const OPENAI_EMBEDDERS: OpenAIEmbedderInfo[] = [
	{
		id: 'openai/text-embedding-3-small',
		platform: 'openai',
		name: 'text-embedding-3-small',
		input: 'text',
		dimensions: 1536,
		description: 'Small, cheap text embedding model.',
		homepage: homepage('text-embedding-3-small'),
		pricing: '$0.02 per 1M tokens',
		openai: { model: 'text-embedding-3-small', pricing: { inputPerMTokens: 0.02 } }
	}
];
