import type { Modality } from '../types';
import {
	HARDWARE_USD_PER_SECOND,
	type Hardware,
	type ReplicateBilling,
	type ReplicateEmbedderInfo,
	type ReplicateModelInfo,
	type ReplicateSpec
} from './spec';

/**
 * The curated Replicate models: a few well-known, cheap ones per direction, so a network
 * can be built without looking anything up. Community models carry no pinned version: the
 * adapter runs their latest version (resolved once per process), which keeps this list
 * from pointing at hashes nobody checked. Prices are Replicate's public ones at the time
 * of writing and only feed estimates.
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
	defaults?: Record<string, unknown>;
	spec: Omit<ReplicateSpec, 'model'>;
}

function entry({ ref, name, input, output, description, pricing, defaults = {}, spec }: Entry): ReplicateModelInfo {
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
		replicate: { model: ref, ...spec }
	};
}

export const REPLICATE_MODELS: ReplicateModelInfo[] = [
	entry({
		ref: 'black-forest-labs/flux-schnell',
		name: 'FLUX.1 [schnell]',
		input: 'text',
		output: 'image',
		description: 'Fast text-to-image model from Black Forest Labs.',
		pricing: 'about $0.003 per image',
		spec: {
			official: true,
			inputField: 'prompt',
			input: { output_format: 'png', num_outputs: 1 },
			outputShape: 'file',
			billing: { per: 'output', usd: 0.003 }
		}
	}),
	entry({
		ref: 'bytedance/sdxl-lightning-4step',
		name: 'SDXL-Lightning (4 steps)',
		input: 'text',
		output: 'image',
		description: 'ByteDance’s distilled SDXL: a 1024px image in four steps.',
		pricing: perSecondPricing('Nvidia L40S'),
		spec: { official: false, inputField: 'prompt', input: { num_outputs: 1 }, outputShape: 'file', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'stability-ai/sdxl',
		name: 'Stable Diffusion XL',
		input: 'text',
		output: 'image',
		description: 'Stability AI’s SDXL base model with refiner.',
		pricing: perSecondPricing('Nvidia L40S'),
		spec: { official: false, inputField: 'prompt', input: { num_outputs: 1 }, outputShape: 'file', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'black-forest-labs/flux-kontext-pro',
		name: 'FLUX.1 Kontext [pro]',
		input: 'image',
		output: 'image',
		description: 'Edits an image by instruction; the prompt parameter says how.',
		pricing: 'about $0.04 per image',
		defaults: { prompt: 'Repaint this picture as a loose watercolour.' },
		spec: {
			official: true,
			inputField: 'input_image',
			input: { output_format: 'png' },
			outputShape: 'file',
			billing: { per: 'output', usd: 0.04 }
		}
	}),
	entry({
		ref: 'lucataco/moondream2',
		name: 'moondream2',
		input: 'image',
		output: 'text',
		description: 'A small vision-language model that describes an image.',
		pricing: perSecondPricing('Nvidia L40S'),
		defaults: { prompt: 'Describe this image.' },
		spec: { official: false, inputField: 'image', input: {}, outputShape: 'text', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'yorickvp/llava-13b',
		name: 'LLaVA 13B',
		input: 'image',
		output: 'text',
		description: 'Visual instruction-tuned LLaMA: answers the prompt about an image.',
		pricing: perSecondPricing('Nvidia L40S'),
		defaults: { prompt: 'Describe this image.' },
		spec: { official: false, inputField: 'image', input: {}, outputShape: 'text', billing: perSecond('Nvidia L40S') }
	}),
	entry({
		ref: 'salesforce/blip',
		name: 'BLIP',
		input: 'image',
		output: 'text',
		description: 'Salesforce’s BLIP image captioning.',
		pricing: perSecondPricing('Nvidia T4'),
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
		ref: 'openai/whisper',
		name: 'Whisper',
		input: 'audio',
		output: 'text',
		description: 'OpenAI’s speech recognition: transcribes speech in many languages.',
		pricing: perSecondPricing('Nvidia L40S'),
		spec: {
			official: false,
			inputField: 'audio',
			input: { transcription: 'plain text' },
			outputShape: 'text',
			outputField: 'transcription',
			billing: perSecond('Nvidia L40S')
		}
	}),
	entry({
		ref: 'meta/musicgen',
		name: 'MusicGen',
		input: 'text',
		output: 'audio',
		description: 'Meta’s music generation from a text description (8 s by default).',
		pricing: perSecondPricing('Nvidia A100 (80GB)'),
		defaults: { duration: 8 },
		spec: {
			official: false,
			inputField: 'prompt',
			input: { output_format: 'wav', model_version: 'stereo-melody-large', normalization_strategy: 'peak' },
			outputShape: 'file',
			billing: perSecond('Nvidia A100 (80GB)')
		}
	}),
	entry({
		ref: 'suno-ai/bark',
		name: 'Bark',
		input: 'text',
		output: 'audio',
		description: 'Suno’s text-to-audio: speech, with laughter and sighs, in many languages.',
		pricing: perSecondPricing('Nvidia A100 (80GB)'),
		spec: { official: false, inputField: 'prompt', input: {}, outputShape: 'file', outputField: 'audio_out', billing: perSecond('Nvidia A100 (80GB)') }
	}),
	entry({
		ref: 'meta/meta-llama-3-8b-instruct',
		name: 'Llama 3 8B Instruct',
		input: 'text',
		output: 'text',
		description: 'Meta’s 8-billion-parameter chat model.',
		pricing: '$0.05 per million input tokens, $0.25 per million output tokens',
		defaults: { max_tokens: 512 },
		spec: {
			official: true,
			inputField: 'prompt',
			input: {},
			outputShape: 'text',
			billing: { per: 'token', inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.25 }
		}
	})
];

/**
 * CLIP ViT-L/14 features, as two embedders (text and image) sharing one 768-dimensional
 * space, so loop analysis can compare a caption with the picture it came from. The model
 * reads newline-separated `inputs` and answers `[{ input, embedding }]`.
 */
const CLIP_REF = 'andreasjansson/clip-features';
function clipEmbedder(input: 'text' | 'image'): ReplicateEmbedderInfo {
	return {
		id: `replicate/${CLIP_REF}/${input}`,
		platform: 'replicate',
		name: `CLIP features (${input})`,
		input,
		dimensions: 768,
		description: `CLIP ViT-L/14 embedding of ${input === 'text' ? 'a text' : 'an image'}; texts and images share one space.`,
		homepage: `https://replicate.com/${CLIP_REF}`,
		pricing: perSecondPricing('Nvidia T4'),
		replicate: { model: CLIP_REF, official: false, inputField: 'inputs', input: {}, billing: perSecond('Nvidia T4') }
	};
}

export const REPLICATE_EMBEDDERS: ReplicateEmbedderInfo[] = [clipEmbedder('text'), clipEmbedder('image')];
