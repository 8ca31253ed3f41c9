import { z } from 'zod';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';

/**
 * How PANIC calls one Replicate model: where the payload goes in the input, what else is
 * sent, how the output is read and how a call is billed. Curated models carry it in code;
 * models a user adds carry it in their stored info JSON, so the adapter validates it on
 * every call rather than trusting it.
 */

/** `owner/name`, as Replicate spells model refs. */
export const MODEL_REF = /^[a-z0-9][a-z0-9-_.]*\/[a-z0-9][a-z0-9-_.]*$/;
/** A version id: 64 lower-case hex digits. */
export const VERSION_ID = /^[0-9a-f]{64}$/;

/** Nvidia hardware Replicate bills per second, in USD per second. */
export const HARDWARE_USD_PER_SECOND = {
	'Nvidia T4': 0.000225,
	'Nvidia A40': 0.000725,
	'Nvidia L40S': 0.000975,
	'Nvidia A100 (80GB)': 0.0014
} as const;
export type Hardware = keyof typeof HARDWARE_USD_PER_SECOND;

const billingSchema = z.discriminatedUnion('per', [
	/** Official models: a fixed price per output (image, second of audio...). */
	z.object({ per: z.literal('output'), usd: z.number().nonnegative() }),
	/** Community models: `metrics.predict_time` × the hardware's price. */
	z.object({ per: z.literal('second'), usd: z.number().nonnegative(), hardware: z.string().optional() }),
	/** Language models: per million input and output tokens. */
	z.object({ per: z.literal('token'), inputUsdPerMillion: z.number().nonnegative(), outputUsdPerMillion: z.number().nonnegative() }),
	/** Speech models: per thousand characters of the text sent (PANIC counts them; Replicate reports no such metric). */
	z.object({ per: z.literal('character'), usdPerThousand: z.number().nonnegative() })
]);
export type ReplicateBilling = z.infer<typeof billingSchema>;

/**
 * How a finished prediction's output becomes a payload. `file`: a URL or a list of URLs
 * (the first is downloaded). `text`: a string or a list of strings (streamed tokens),
 * concatenated.
 */
export type OutputShape = 'file' | 'text';

export const replicateSpecSchema = z.object({
	/** `owner/name`. */
	model: z.string().regex(MODEL_REF),
	/** Pinned version; without it, official models run by name and others on their latest version. */
	version: z.string().regex(VERSION_ID).optional(),
	/** Official models run at POST /v1/models/{owner}/{name}/predictions without a version. */
	official: z.boolean(),
	/** The input field that receives the payload (`prompt`, `image`, `audio`...). */
	inputField: z.string().min(1).max(100),
	/** Fixed extra inputs (`output_format`, `num_outputs`...); node params override them. */
	input: z.record(z.string(), z.unknown()),
	outputShape: z.enum(['file', 'text']),
	/** When the output is an object, the field holding what PANIC keeps (`transcription`, `audio_out`). */
	outputField: z.string().min(1).max(100).optional(),
	/** Removed from the start of text outputs (BLIP answers `Caption: ...`). */
	stripPrefix: z.string().max(100).optional(),
	/** Unknown for models a user added: then no cost is estimated. */
	billing: billingSchema.optional()
});
export type ReplicateSpec = z.infer<typeof replicateSpecSchema>;

/** A catalogue entry for a Replicate model, curated or added by a user. */
export interface ReplicateModelInfo extends ModelInfo {
	platform: 'replicate';
	replicate: ReplicateSpec;
}

/** How an embedder is called: like a model, with the output read as `[{ embedding }]`. */
export const replicateEmbedSpecSchema = replicateSpecSchema.omit({ outputShape: true, outputField: true, stripPrefix: true });
export type ReplicateEmbedSpec = z.infer<typeof replicateEmbedSpecSchema>;

export interface ReplicateEmbedderInfo extends EmbedderInfo {
	platform: 'replicate';
	replicate: ReplicateEmbedSpec;
}
