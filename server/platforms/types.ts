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
}

/** A model input or output held in memory. Binary payloads carry their MIME type. */
export type Payload =
	| { kind: 'text'; text: string }
	| { kind: 'image'; bytes: Uint8Array; mime: 'image/png' }
	| { kind: 'audio'; bytes: Uint8Array; mime: 'audio/wav' };
