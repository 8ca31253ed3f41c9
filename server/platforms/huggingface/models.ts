import type { EmbedderInfo, ModelInfo } from '../types';

/**
 * The curated Hugging Face catalogue: models PANIC calls through `@huggingface/inference`
 * on the `hf-inference` provider. Each entry carries its own call spec, so the adapter
 * needs no second table and a catalogue entry cannot drift from how it is called.
 */

/** Inference tasks the adapter knows how to call and read. */
export type HuggingFaceTask =
	| 'image-to-text'
	| 'automatic-speech-recognition'
	| 'text-to-speech'
	| 'text-to-image'
	| 'image-to-image'
	| 'chat-completion'
	| 'feature-extraction';

export interface HuggingFaceSpec {
	task: HuggingFaceTask;
	/** The model's Hub repository, e.g. `Salesforce/blip-image-captioning-large`. */
	repo: string;
	/** Only `hf-inference`: the one provider whose every task honours the client's `fetch`. */
	provider: 'hf-inference';
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

/** hf-inference reports nothing per call: usage is compute time, billed to the key's account. */
export const HUGGINGFACE_PRICING = 'Billed by Hugging Face by compute time (Inference Providers credits).';

function model(
	repo: string,
	task: HuggingFaceTask,
	info: Pick<ModelInfo, 'name' | 'input' | 'output' | 'description'> & { defaults?: Record<string, unknown>; fixed?: Record<string, unknown> }
): HuggingFaceModelInfo {
	return {
		id: `huggingface/${repo}`,
		platform: 'huggingface',
		name: info.name,
		input: info.input,
		output: info.output,
		description: info.description,
		homepage: `https://huggingface.co/${repo}`,
		defaults: info.defaults ?? {},
		pricing: HUGGINGFACE_PRICING,
		huggingface: { task, repo, provider: 'hf-inference', ...(info.fixed ? { fixed: info.fixed } : {}) }
	};
}

export const HUGGINGFACE_MODELS: readonly HuggingFaceModelInfo[] = [
	model('Salesforce/blip-image-captioning-large', 'image-to-text', {
		name: 'BLIP captioning (large)',
		input: 'image',
		output: 'text',
		description: 'Describes an image in one short sentence.'
	}),
	model('nlpconnect/vit-gpt2-image-captioning', 'image-to-text', {
		name: 'ViT-GPT2 captioning',
		input: 'image',
		output: 'text',
		description: 'A small, older captioner: terse and often wrong in interesting ways.'
	}),
	model('openai/whisper-large-v3', 'automatic-speech-recognition', {
		name: 'Whisper large v3',
		input: 'audio',
		output: 'text',
		description: 'Transcribes speech in many languages; hears words in noise and music too.'
	}),
	model('facebook/mms-tts-eng', 'text-to-speech', {
		name: 'MMS text-to-speech (English)',
		input: 'text',
		output: 'audio',
		description: 'Reads English text aloud in a plain synthetic voice.'
	}),
	model('black-forest-labs/FLUX.1-schnell', 'text-to-image', {
		name: 'FLUX.1 [schnell]',
		input: 'text',
		output: 'image',
		description: 'Fast text-to-image model: a detailed picture in four steps.',
		defaults: { num_inference_steps: 4 }
	}),
	model('stabilityai/stable-diffusion-xl-base-1.0', 'text-to-image', {
		name: 'Stable Diffusion XL',
		input: 'text',
		output: 'image',
		description: 'The classic open text-to-image model at 1024×1024.',
		defaults: { num_inference_steps: 25, guidance_scale: 7 }
	}),
	model('timbrooks/instruct-pix2pix', 'image-to-image', {
		name: 'InstructPix2Pix',
		input: 'image',
		output: 'image',
		description: 'Edits an image by a written instruction (the `prompt` parameter).',
		defaults: { prompt: 'Turn it into a watercolour painting', num_inference_steps: 20 }
	}),
	model('HuggingFaceTB/SmolLM3-3B', 'chat-completion', {
		name: 'SmolLM3 3B',
		input: 'text',
		output: 'text',
		description: 'A small chat model that answers the text it is given (the `system` parameter says how).',
		defaults: {
			system: 'Answer the text you are given with one short paragraph of your own. /no_think',
			temperature: 0.8
		},
		fixed: { max_tokens: 300 }
	})
];

export const HUGGINGFACE_EMBEDDERS: readonly HuggingFaceEmbedderInfo[] = [
	{
		id: 'huggingface/sentence-transformers/all-MiniLM-L6-v2',
		platform: 'huggingface',
		name: 'all-MiniLM-L6-v2',
		input: 'text',
		dimensions: 384,
		description: 'Small, fast sentence embeddings for comparing texts.',
		homepage: 'https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2',
		pricing: HUGGINGFACE_PRICING,
		huggingface: { task: 'feature-extraction', repo: 'sentence-transformers/all-MiniLM-L6-v2', provider: 'hf-inference' }
	}
];
