import type { Modality, Payload } from '../../shared/platforms/types';
import { AUDIO_SPECTRUM_DIMS, AUDIO_SPECTRUM_ID, audioSpectrum } from './audio-spectrum';
import { IMAGE_FEATURES_DIMS, IMAGE_FEATURES_ID, imageFeatures } from './image-features';
import { TEXT_NGRAMS_DIMS, TEXT_NGRAMS_ID, textNgrams } from './text-ngrams';

/** An offline embedder: deterministic, fast, no key. */
export interface LocalEmbedderInfo {
	id: string;
	input: Modality;
	dims: number;
	description: string;
}

export interface LocalEmbedder extends LocalEmbedderInfo {
	/** The unit-length fingerprint, or null when the format cannot be read (a JPEG, silence). */
	embed(payload: Payload): number[] | null;
}

const LOCAL: readonly LocalEmbedder[] = [
	{
		id: TEXT_NGRAMS_ID,
		input: 'text',
		dims: TEXT_NGRAMS_DIMS,
		description: 'Character 3-grams hashed into 512 buckets (lowercased, whitespace collapsed): shared wording.',
		embed: (p) => (p.kind === 'text' ? textNgrams(p.text) : null)
	},
	{
		id: IMAGE_FEATURES_ID,
		input: 'image',
		dims: IMAGE_FEATURES_DIMS,
		description: '8×8 colour grid, luminance histogram and edge layout of a PNG: the same scene, roughly.',
		embed: (p) => (p.kind === 'image' ? imageFeatures(p.bytes, p.mime) : null)
	},
	{
		id: AUDIO_SPECTRUM_ID,
		input: 'audio',
		dims: AUDIO_SPECTRUM_DIMS,
		description: 'Short-time spectrum of a WAV pooled into 32 log-spaced bands, mean and spread over time: the same sound, roughly.',
		embed: (p) => (p.kind === 'audio' ? audioSpectrum(p.bytes, p.mime) : null)
	}
];

/** The offline embedders, for people choosing one (id, input modality, dimensions, what it sees). */
export const EMBEDDERS: readonly LocalEmbedderInfo[] = LOCAL.map(({ id, input, dims, description }) => ({ id, input, dims, description }));

const BY_ID = new Map(LOCAL.map((e) => [e.id, e]));
const BY_MODALITY = new Map(LOCAL.map((e) => [e.input, e]));

/** The default offline embedder for a modality. */
export function embedderFor(modality: Modality): LocalEmbedder {
	return BY_MODALITY.get(modality)!;
}

export function localEmbedder(id: string): LocalEmbedder | undefined {
	return BY_ID.get(id);
}

/**
 * Cosine similarity at or above which two outputs count as a near repeat (the same content
 * re-rendered). Calibrated by `calibration.spec.ts` on the local models: it prints, per
 * embedder, the lowest similarity among same-content pairs and the highest among
 * different-content pairs, and asserts each threshold lies between them.
 * Provider embeddings are not calibrated here: 0.9 is a common "paraphrase" cut-off for
 * sentence embeddings, and CLIP image embeddings of re-renderings score about as high.
 */
const NEAR_REPEAT: Record<string, number> = {
	// same-content min 0.897 (mean 0.940), different max 0.860 (mean 0.604): the local
	// captions are formulaic ("a large red circle on a white background"), so unrelated
	// ones share many 3-grams and the gap is narrow.
	[TEXT_NGRAMS_ID]: 0.88,
	// same-content min 0.891 (mean 0.974), different max 0.501 (mean 0.131): a wide gap; the
	// cut sits low in it, since loop re-renderings move shapes more than a 2-pixel nudge.
	[IMAGE_FEATURES_ID]: 0.8,
	// same-content min 0.943 (mean 0.960), different max 0.909 (mean 0.771): every sung tune
	// shares sing's timbre and pentatonic range, so only the note distribution tells them apart.
	[AUDIO_SPECTRUM_ID]: 0.93
};
export const DEFAULT_NEAR_REPEAT = 0.9;

export function nearRepeatThreshold(embedderId: string): number {
	return NEAR_REPEAT[embedderId] ?? DEFAULT_NEAR_REPEAT;
}
