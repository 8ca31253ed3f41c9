import { DUMMY_MODELS } from './dummy/index';
import { LOCAL_MODELS } from './local/index';
import type { LocalModel } from './local/model';
import { resolveParams } from './params';
import type { EmbedderInfo, ModelInfo, Payload, PlatformId } from '../shared/platforms/types';

/**
 * Where the engine sends an invocation. One implementation per platform id; the engine
 * never knows whether a model runs in this process or at a provider.
 *
 * Seam for hosted platforms (replicate, openai, huggingface): implement `Platform` with
 * the provider client, throw `PlatformError` with `retryable`/`retryAfterMs` for 429s and
 * 5xx, return binary outputs as bytes (the engine stores them as assets), report
 * `requestId` and `costUsd` when the provider does, and register it in `builtInPlatforms`.
 * `needsKey` makes the engine reveal the network owner's key and pass it as `key`.
 */
export interface InvokeOptions {
	signal: AbortSignal;
	/** The network owner's provider key (hosted platforms only). */
	key?: string;
	params: Record<string, unknown>;
}

export interface InvokeResult {
	output: Payload;
	/** The provider's id for the call (a Replicate prediction id, an OpenAI request id). */
	requestId?: string;
	/** Estimated cost of this call in US dollars, from what the provider reported. */
	costUsd?: number;
	/**
	 * What the provider reported about the call, flat and numeric: e.g. `predictTimeSeconds`,
	 * `inputTokens`, `outputTokens`, `totalTokens`, `imageCount`, `audioSeconds`, `characters`.
	 */
	metrics?: Record<string, number>;
}

export interface EmbedResult {
	vector: number[];
	requestId?: string;
	costUsd?: number;
	metrics?: Record<string, number>;
}

export interface Platform {
	id: PlatformId;
	/** Whether invoking needs the network owner's provider key for this platform. */
	needsKey: boolean;
	/**
	 * Models that compute in this process (built-in ones) rather than at a provider: they take
	 * turns at the main thread, and the server's least step interval for hosted models spares them.
	 */
	runsInProcess?: boolean;
	invoke(model: ModelInfo, input: Payload, options: InvokeOptions): Promise<InvokeResult>;
	/** Embeds an output for loop analysis, on platforms that offer embedders. */
	embed?(embedder: EmbedderInfo, input: Payload, options: InvokeOptions): Promise<EmbedResult>;
	/**
	 * Asks the provider, with the owner's key, which of these models (or embedders) it serves
	 * now: OpenAI's model list, Replicate's model and version lookup, Hugging Face's provider
	 * mapping. Every id asked about is in the answer; `reason` says why one is not served.
	 * Throws a PlatformError when the provider cannot be asked (refused key, outage).
	 */
	checkAvailability?(entries: ReadonlyArray<ModelInfo | EmbedderInfo>, options: { key: string; signal: AbortSignal }): Promise<Map<string, AvailabilityAnswer>>;
}

/** One model's answer from a provider's availability check. */
export interface AvailabilityAnswer {
	available: boolean;
	reason?: string;
}

/**
 * What kind of failure a platform saw, so the engine can act on it without knowing the
 * provider: `auth` (the owner's key was refused) and `no_credit` (the owner's account has no
 * credit: 402, OpenAI's `insufficient_quota`) stop the run, `rate_limited` and `unavailable`
 * are retried (honouring `retryAfterMs`), `safety` is retried once with a harmless fallback
 * input, `model_gone` (the provider no longer serves the model: retired, removed, version
 * deleted), `invalid_output` (a malformed answer) and `invalid_input` (the provider rejected
 * what we sent) fail the step.
 */
export type PlatformErrorKind =
	| 'auth'
	| 'no_credit'
	| 'rate_limited'
	| 'unavailable'
	| 'timeout'
	| 'safety'
	| 'model_gone'
	| 'invalid_output'
	| 'invalid_input'
	| 'other';

export interface PlatformErrorOptions {
	kind?: PlatformErrorKind;
	/** Defaults by kind: rate_limited, unavailable and timeout are retryable. */
	retryable?: boolean;
	retryAfterMs?: number;
	/** HTTP status the provider answered with, when there was one. */
	status?: number;
	/** The provider's request/prediction id, when known. */
	requestId?: string;
	cause?: unknown;
}

const RETRYABLE_KINDS: ReadonlySet<PlatformErrorKind> = new Set(['rate_limited', 'unavailable', 'timeout']);

/**
 * A failure a platform understood: what kind, whether retrying may help, and when. The
 * message is for people and written by PANIC, never copied from a provider (provider error
 * text can echo parts of a key).
 */
export class PlatformError extends Error {
	readonly kind: PlatformErrorKind;
	readonly retryable: boolean;
	readonly retryAfterMs?: number;
	readonly status?: number;
	readonly requestId?: string;
	constructor(message: string, options: PlatformErrorOptions = {}) {
		super(message, { cause: options.cause });
		this.name = 'PlatformError';
		this.kind = options.kind ?? 'other';
		this.retryable = options.retryable ?? RETRYABLE_KINDS.has(this.kind);
		this.retryAfterMs = options.retryAfterMs;
		this.status = options.status;
		this.requestId = options.requestId;
	}

	/** A refused key or an account without credit: every further call would fail the same way, so the run stops. */
	get stopsRun(): boolean {
		return this.kind === 'auth' || this.kind === 'no_credit';
	}
}

/**
 * Models that run in this process (local, dummy): a lookup by id and a direct call. Node
 * params go through resolveParams like a hosted adapter's, so a built-in model gets only the
 * settings its ParamSpecs name, and a bad value fails the step as invalid input.
 */
export function inProcessPlatform(id: PlatformId, models: LocalModel[]): Platform {
	const byId = new Map(models.map((m) => [m.info.id, m]));
	return {
		id,
		needsKey: false,
		runsInProcess: true,
		async invoke(model, input, { signal, params }) {
			const local = byId.get(model.id);
			if (!local) throw new PlatformError(`${model.id} is not a ${id} model.`);
			const settings = resolveParams(local.info.name, local.info.params, local.info.defaults, params);
			return { output: await local.run(input, settings, signal) };
		}
	};
}

export type PlatformRegistry = ReadonlyMap<PlatformId, Platform>;

export function builtInPlatforms(extra: Platform[] = []): PlatformRegistry {
	const all = [inProcessPlatform('local', LOCAL_MODELS), inProcessPlatform('dummy', DUMMY_MODELS), ...extra];
	return new Map(all.map((p) => [p.id, p]));
}
