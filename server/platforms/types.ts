/** What flows along an edge: one of three modalities. */
export type Modality = 'text' | 'image' | 'audio';
export const MODALITIES: readonly Modality[] = ['text', 'image', 'audio'];

/** Where a model runs. `local` and `dummy` need no key and no network. */
export type PlatformId = 'replicate' | 'openai' | 'huggingface' | 'local' | 'dummy';
export const PLATFORMS: readonly PlatformId[] = ['replicate', 'openai', 'huggingface', 'local', 'dummy'];

/** Platforms whose models spend a user's provider key. */
export type HostedPlatformId = 'replicate' | 'openai' | 'huggingface';
export const HOSTED_PLATFORMS: readonly HostedPlatformId[] = ['replicate', 'openai', 'huggingface'];

/** A catalogue entry: one model with exactly one input and one output modality. */
export interface ModelInfo {
	/** Stable id used in graphs, e.g. `local/paint` or `replicate/black-forest-labs/flux-schnell`. */
	id: string;
	platform: PlatformId;
	name: string;
	input: Modality;
	output: Modality;
	description: string;
	homepage: string;
	/** Default parameters passed to the model when a node sets none. */
	defaults: Record<string, unknown>;
	/** Kept so old networks still load, but hidden from the palette. */
	deprecated?: boolean;
	/** What a call costs, for people choosing models (e.g. "about $0.003 per image"). */
	pricing?: string;
}

/** Image formats a payload may carry; local models read PNG only and say so. */
export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
/** Audio formats a payload may carry; local models read WAV only and say so. */
export type AudioMime = 'audio/wav' | 'audio/mpeg' | 'audio/ogg' | 'audio/flac';

/**
 * A model that turns an output into a vector (for loop analysis): text, image or audio in,
 * numbers out. Kept apart from `ModelInfo`, since nothing can be wired after it.
 */
export interface EmbedderInfo {
	/** e.g. `openai/text-embedding-3-small`, `huggingface/sentence-transformers/all-MiniLM-L6-v2`. */
	id: string;
	platform: PlatformId;
	name: string;
	input: Modality;
	/** Vector length, when fixed and known. */
	dimensions?: number;
	description: string;
	homepage: string;
	pricing?: string;
}

/** A model input or output held in memory. Binary payloads carry their MIME type. */
export type Payload =
	| { kind: 'text'; text: string }
	| { kind: 'image'; bytes: Uint8Array; mime: ImageMime }
	| { kind: 'audio'; bytes: Uint8Array; mime: AudioMime };
