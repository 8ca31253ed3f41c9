import type { EmbedderInfo, ModelInfo, ParamSpec } from '../../shared/platforms/types';
import {
	dalleStyle,
	defaultsOf,
	editPrompt,
	imageDetail,
	maxCompletionTokens,
	quality,
	size,
	speechInstructions,
	speed,
	systemPrompt,
	temperature,
	transcriptionLanguage,
	transcriptionPrompt,
	visionPrompt,
	voice
} from './param-specs';

/**
 * PANIC's curated OpenAI models. OpenAI has no per-model input/output schema to read, so
 * each entry says here which endpoint serves it, which API model to name, the settings a
 * node may change (`params`, checked by resolveParams), what PANIC fixes (`openai.params`:
 * formats PANIC can read, reasoning off), and what it costs, so the adapter can estimate a
 * call's price from what OpenAI reports.
 *
 * Every API model named here is in served.ts (what the real API serves or has retired), and
 * a test holds the two together. `confirmed` is the date of the source the entry was checked
 * against (docs, not a live call: see /work/research/issue12-models.md); `retires` is the
 * announced shutdown. Entries for models OpenAI has retired or is retiring stay, deprecated
 * (hidden from the palette), so old networks still load and name them.
 *
 * Prices are OpenAI's list prices in US dollars at the source's date; they are estimates for
 * people choosing models and for run budgets, not invoices.
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
	/** The model name the API expects, e.g. `gpt-6-luna`. */
	model: string;
	/**
	 * Parameters fixed for PANIC, sent with every call and never changed by a node (none of
	 * these keys is one of the entry's `params`): output formats PANIC can read, no reasoning.
	 */
	params: Record<string, string | number>;
	pricing: OpenAIPricing;
}

export interface OpenAIModelInfo extends ModelInfo {
	platform: 'openai';
	params: readonly ParamSpec[];
	confirmed: string;
	openai: OpenAISpec;
}

export interface OpenAIEmbedderInfo extends EmbedderInfo {
	platform: 'openai';
	/** As on ModelInfo: the source date this entry was checked against, and any announced shutdown. */
	confirmed: string;
	retires?: string;
	openai: { model: string; pricing: Pick<OpenAIPricing, 'inputPerMTokens'> };
}

const homepage = (model: string) => `https://developers.openai.com/api/docs/models/${model}`;

/** Asked of chat models so a text → text hop keeps turning text into something paintable. */
export const CHAT_SYSTEM_PROMPT =
	'Rewrite the text as a short, vivid description of an image: one or two sentences, concrete nouns, colours and light. Reply with the description only.';
export const VISION_PROMPT = 'Describe this image in one or two vivid sentences. Reply with the description only.';
export const EDIT_PROMPT = 'Repaint this image as a bold, dreamlike painting, keeping its main shapes.';

/**
 * GPT-6 Luna reasons by default (effort `medium`), which spends hidden tokens out of
 * `max_completion_tokens`; a one-sentence rewrite needs none, so reasoning is off.
 */
const NO_REASONING = { reasoning_effort: 'none' } as const;
/** PNG, since PANIC's local models read PNG only and the next hop may be one of them. */
const PNG = { output_format: 'png' } as const;

/** GPT Image 2.x sizes PANIC offers (the API also takes other multiples of 16). */
const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
const GPT_IMAGE_2_6_QUALITY = ['low', 'medium', 'high', 'xhigh', 'max', 'auto'];
const GPT_IMAGE_1_QUALITY = ['low', 'medium', 'high', 'auto'];
/** Per 1M tokens: text in $5, image in $8, image out $30 (the same for GPT Image 2, 2.5 and 2.6). */
const GPT_IMAGE_2_6_PRICING: OpenAIPricing = { inputPerMTokens: 5, imageInputPerMTokens: 8, outputPerMTokens: 30, perImage: 0.006 };
const GPT_IMAGE_1_PRICING: OpenAIPricing = { inputPerMTokens: 5, imageInputPerMTokens: 10, outputPerMTokens: 40, perImage: 0.011 };

/** gpt-4o-mini-tts takes every built-in voice; tts-1 only the first nine (the others came with gpt-4o-mini-tts). */
const TTS_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
const TTS_1_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

/** An entry whose `defaults` are its specs' defaults, so the two cannot disagree. */
function entry(info: Omit<OpenAIModelInfo, 'platform' | 'defaults'>): OpenAIModelInfo {
	return { ...info, platform: 'openai', defaults: defaultsOf(info.params) };
}

const chatParams = (system: string) => [systemPrompt(system), maxCompletionTokens];

export const OPENAI_MODELS: OpenAIModelInfo[] = [
	// ——— current models (late 2026) ———
	entry({
		id: 'openai/gpt-6-luna',
		name: 'GPT-6 Luna',
		input: 'text',
		output: 'text',
		description: 'OpenAI’s cheapest current chat model; rewrites its input as a vivid image description.',
		homepage: homepage('gpt-6-luna'),
		pricing: '$0.10 / $0.50 per 1M input / output tokens',
		confirmed: '2026-12-06',
		// No temperature: GPT-6 models are reasoning models, which fix it.
		params: chatParams(CHAT_SYSTEM_PROMPT),
		openai: { endpoint: 'chat', model: 'gpt-6-luna', params: { ...NO_REASONING }, pricing: { inputPerMTokens: 0.1, outputPerMTokens: 0.5 } }
	}),
	entry({
		id: 'openai/gpt-6-luna-vision',
		name: 'GPT-6 Luna (vision)',
		input: 'image',
		output: 'text',
		description: 'Describes an image in a sentence or two.',
		homepage: homepage('gpt-6-luna'),
		pricing: '$0.10 / $0.50 per 1M input / output tokens (the image counts as input tokens)',
		confirmed: '2026-12-06',
		params: [visionPrompt(VISION_PROMPT), imageDetail, maxCompletionTokens],
		openai: { endpoint: 'vision', model: 'gpt-6-luna', params: { ...NO_REASONING }, pricing: { inputPerMTokens: 0.1, outputPerMTokens: 0.5 } }
	}),
	entry({
		id: 'openai/gpt-image-2.6-flare',
		name: 'GPT Image 2.6 Flare',
		input: 'text',
		output: 'image',
		description: 'OpenAI’s fast current image generator, at low quality and 1024×1024 unless a node asks for more.',
		homepage: homepage('gpt-image-2.6-flare'),
		pricing: '$5 / $30 per 1M input / output tokens (about $0.006 for a low-quality 1024×1024 image)',
		confirmed: '2026-11-05',
		params: [quality(GPT_IMAGE_2_6_QUALITY, 'low'), size(GPT_IMAGE_SIZES, '1024x1024')],
		openai: { endpoint: 'image', model: 'gpt-image-2.6-flare', params: { ...PNG }, pricing: GPT_IMAGE_2_6_PRICING }
	}),
	entry({
		id: 'openai/gpt-image-2.6-flare-edit',
		name: 'GPT Image 2.6 Flare (edit)',
		input: 'image',
		output: 'image',
		description: 'Repaints an image following a prompt (by default: as a bold, dreamlike painting).',
		homepage: homepage('gpt-image-2.6-flare'),
		pricing: '$5 text / $8 image / $30 output per 1M tokens (about $0.01 for a low-quality 1024×1024 edit)',
		confirmed: '2026-11-05',
		params: [editPrompt(EDIT_PROMPT), quality(GPT_IMAGE_2_6_QUALITY, 'low'), size(GPT_IMAGE_SIZES, '1024x1024')],
		openai: { endpoint: 'image-edit', model: 'gpt-image-2.6-flare', params: { ...PNG }, pricing: { ...GPT_IMAGE_2_6_PRICING, perImage: 0.01 } }
	}),
	entry({
		id: 'openai/gpt-transcribe',
		name: 'GPT Transcribe',
		input: 'audio',
		output: 'text',
		description: 'OpenAI’s current speech-to-text model.',
		homepage: homepage('gpt-transcribe'),
		pricing: '$0.0045 per minute of audio',
		confirmed: '2026-12-06',
		// Only `prompt` is documented for gpt-transcribe (and `keywords`/`languages`, which the client
		// does not type yet); its `response_format` is not documented, so none is sent (JSON by default).
		params: [transcriptionPrompt],
		openai: { endpoint: 'transcribe', model: 'gpt-transcribe', params: {}, pricing: { perAudioMinute: 0.0045 } }
	}),
	entry({
		id: 'openai/gpt-4o-mini-tts',
		name: 'GPT-4o mini TTS',
		input: 'text',
		output: 'audio',
		description: 'Reads text aloud, steerable with instructions (voice “coral” unless a node picks another). OpenAI shuts it down on 2027-01-06 with no successor on the speech endpoint.',
		homepage: homepage('gpt-4o-mini-tts'),
		pricing: 'about $0.015 per minute of speech',
		confirmed: '2026-12-06',
		retires: '2027-01-06',
		params: [voice(TTS_VOICES, 'coral'), speed, speechInstructions],
		openai: { endpoint: 'speech', model: 'gpt-4o-mini-tts', params: { response_format: 'wav' }, pricing: { perAudioMinute: 0.015 } }
	}),

	// ——— kept so old networks load; retiring or retired ———
	entry({
		id: 'openai/gpt-4o-mini',
		name: 'GPT-4o mini',
		input: 'text',
		output: 'text',
		description: 'Fast, cheap chat model; rewrites its input as a vivid image description. OpenAI shuts it down on 2027-01-14: use GPT-6 Luna.',
		homepage: homepage('gpt-4o-mini'),
		pricing: '$0.15 / $0.60 per 1M input / output tokens',
		deprecated: true,
		confirmed: '2026-10-27',
		retires: '2027-01-14',
		params: [systemPrompt(CHAT_SYSTEM_PROMPT), temperature, maxCompletionTokens],
		openai: { endpoint: 'chat', model: 'gpt-4o-mini', params: {}, pricing: { inputPerMTokens: 0.15, outputPerMTokens: 0.6 } }
	}),
	entry({
		id: 'openai/gpt-4.1-mini',
		name: 'GPT-4.1 mini',
		input: 'text',
		output: 'text',
		description: 'Stronger small chat model; rewrites its input as a vivid image description. OpenAI shuts it down on 2027-01-14: use GPT-6 Luna.',
		homepage: homepage('gpt-4.1-mini'),
		pricing: '$0.40 / $1.60 per 1M input / output tokens',
		deprecated: true,
		confirmed: '2026-10-27',
		retires: '2027-01-14',
		params: [systemPrompt(CHAT_SYSTEM_PROMPT), temperature, maxCompletionTokens],
		openai: { endpoint: 'chat', model: 'gpt-4.1-mini', params: {}, pricing: { inputPerMTokens: 0.4, outputPerMTokens: 1.6 } }
	}),
	entry({
		id: 'openai/gpt-4o-mini-vision',
		name: 'GPT-4o mini (vision)',
		input: 'image',
		output: 'text',
		description: 'Describes an image in a sentence or two. OpenAI shuts it down on 2027-01-14: use GPT-6 Luna (vision).',
		homepage: homepage('gpt-4o-mini'),
		pricing: '$0.15 / $0.60 per 1M input / output tokens (a low-detail image is about 2,800 tokens)',
		deprecated: true,
		confirmed: '2026-10-27',
		retires: '2027-01-14',
		params: [visionPrompt(VISION_PROMPT), imageDetail, maxCompletionTokens],
		openai: { endpoint: 'vision', model: 'gpt-4o-mini', params: {}, pricing: { inputPerMTokens: 0.15, outputPerMTokens: 0.6 } }
	}),
	entry({
		id: 'openai/gpt-image-1',
		name: 'GPT Image 1',
		input: 'text',
		output: 'image',
		description: 'OpenAI’s first GPT image generator. Shut down by OpenAI on 2026-10-23: use GPT Image 2.6 Flare.',
		homepage: homepage('gpt-image-1'),
		pricing: 'about $0.011 per low-quality 1024×1024 image',
		deprecated: true,
		confirmed: '2026-12-06',
		retires: '2026-10-23',
		params: [quality(GPT_IMAGE_1_QUALITY, 'low'), size(GPT_IMAGE_SIZES, '1024x1024')],
		openai: { endpoint: 'image', model: 'gpt-image-1', params: { ...PNG }, pricing: GPT_IMAGE_1_PRICING }
	}),
	entry({
		id: 'openai/dall-e-3',
		name: 'DALL·E 3',
		input: 'text',
		output: 'image',
		description: 'OpenAI’s earlier image generator. Shut down by OpenAI on 2026-05-12: use GPT Image 2.6 Flare.',
		homepage: homepage('dall-e-3'),
		pricing: '$0.04 per standard 1024×1024 image',
		deprecated: true,
		confirmed: '2026-12-06',
		retires: '2026-05-12',
		params: [quality(['standard', 'hd'], 'standard'), size(['1024x1024', '1792x1024', '1024x1792'], '1024x1024'), dalleStyle],
		// DALL·E answers with a short-lived URL unless asked for base64.
		openai: { endpoint: 'image', model: 'dall-e-3', params: { response_format: 'b64_json' }, pricing: { perImage: 0.04 } }
	}),
	entry({
		id: 'openai/gpt-image-1-edit',
		name: 'GPT Image 1 (edit)',
		input: 'image',
		output: 'image',
		description: 'Repaints an image following a prompt. Shut down by OpenAI on 2026-10-23: use GPT Image 2.6 Flare (edit).',
		homepage: homepage('gpt-image-1'),
		pricing: 'about $0.015 per low-quality 1024×1024 edit',
		deprecated: true,
		confirmed: '2026-12-06',
		retires: '2026-10-23',
		params: [editPrompt(EDIT_PROMPT), quality(GPT_IMAGE_1_QUALITY, 'low'), size(GPT_IMAGE_SIZES, '1024x1024')],
		openai: { endpoint: 'image-edit', model: 'gpt-image-1', params: { ...PNG }, pricing: { ...GPT_IMAGE_1_PRICING, perImage: 0.015 } }
	}),
	entry({
		id: 'openai/whisper-1',
		name: 'Whisper',
		input: 'audio',
		output: 'text',
		description: 'Transcribes speech in many languages. OpenAI shuts it down on 2027-02-26: use GPT Transcribe.',
		homepage: homepage('whisper-1'),
		pricing: '$0.006 per minute of audio',
		deprecated: true,
		confirmed: '2026-08-26',
		retires: '2027-02-26',
		params: [transcriptionLanguage, transcriptionPrompt],
		openai: { endpoint: 'transcribe', model: 'whisper-1', params: { response_format: 'json' }, pricing: { perAudioMinute: 0.006 } }
	}),
	entry({
		id: 'openai/gpt-4o-mini-transcribe',
		name: 'GPT-4o mini Transcribe',
		input: 'audio',
		output: 'text',
		description: 'Cheaper speech-to-text model. OpenAI shuts it down on 2027-02-26: use GPT Transcribe.',
		homepage: homepage('gpt-4o-mini-transcribe'),
		pricing: 'about $0.003 per minute of audio',
		deprecated: true,
		confirmed: '2026-08-26',
		retires: '2027-02-26',
		params: [transcriptionLanguage, transcriptionPrompt],
		openai: { endpoint: 'transcribe', model: 'gpt-4o-mini-transcribe', params: { response_format: 'json' }, pricing: { perAudioMinute: 0.003 } }
	}),
	entry({
		id: 'openai/tts-1',
		name: 'TTS 1',
		input: 'text',
		output: 'audio',
		description: 'Reads text aloud (voice “alloy” unless a node picks another). OpenAI shuts it down on 2027-01-06.',
		homepage: homepage('tts-1'),
		pricing: '$15 per 1M characters',
		deprecated: true,
		confirmed: '2026-12-06',
		retires: '2027-01-06',
		// No `instructions`: they do not work with tts-1.
		params: [voice(TTS_1_VOICES, 'alloy'), speed],
		openai: { endpoint: 'speech', model: 'tts-1', params: { response_format: 'wav' }, pricing: { perMCharacters: 15 } }
	})
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
		// No shutdown found in any source read; the live availability check is what settles it.
		confirmed: '2026-12-06',
		openai: { model: 'text-embedding-3-small', pricing: { inputPerMTokens: 0.02 } }
	}
];
