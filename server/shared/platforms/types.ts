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
	/**
	 * The settings a node may change for this model, in the order its settings form shows them.
	 * The adapter sends only these keys (plus what the entry fixes), so a node can never send a
	 * parameter the model does not take. Absent: the model takes no settings.
	 */
	params?: readonly ParamSpec[];
	/** When this entry's model id, request shape and price were last checked against the provider's own documentation (ISO date). */
	confirmed?: string;
	/** The shutdown date the provider has announced for this model (ISO date), if any. */
	retires?: string;
}

/**
 * One setting of a model, as a node's settings form shows it and the adapter checks it.
 * `key` is the parameter's name in the node's params (usually the provider's own name).
 */
export type ParamSpec = { key: string; label: string; help?: string } & (
	| { kind: 'text'; maxLength: number; multiline?: boolean; default?: string }
	| { kind: 'number'; min: number; max: number; step?: number; integer?: boolean; default?: number }
	| { kind: 'choice'; options: readonly string[]; default?: string }
	| { kind: 'boolean'; default?: boolean }
);

/**
 * Whether a provider serves a catalogue model to the owner's key, as last checked: `unchecked`
 * when there is no key or no check yet (runs then go ahead and fail at the provider if they must).
 */
export interface ModelAvailability {
	state: 'available' | 'unavailable' | 'unchecked';
	/** Why not, in words for the owner: "OpenAI no longer serves dall-e-3 (shut down 2026-05-12)". */
	reason?: string;
	/** When the provider was asked (ISO timestamp). */
	checkedAt?: string;
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
	/** Kept so analyses that name it still run, but no longer offered. */
	deprecated?: boolean;
	/** As on ModelInfo: when the model id, request shape and price were last checked (ISO date). */
	confirmed?: string;
	/** As on ModelInfo: the provider's announced shutdown date (ISO date). */
	retires?: string;
}

/** A model input or output held in memory. Binary payloads carry their MIME type. */
export type Payload =
	| { kind: 'text'; text: string }
	| { kind: 'image'; bytes: Uint8Array; mime: ImageMime }
	| { kind: 'audio'; bytes: Uint8Array; mime: AudioMime };
