import { DUMMY_MODELS } from './dummy/index';
import { LOCAL_MODELS } from './local/index';
import type { LocalModel } from './local/model';
import type { ModelInfo, Payload, PlatformId } from './types';

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
	requestId?: string;
	costUsd?: number;
	metrics?: Record<string, number>;
}

export interface Platform {
	id: PlatformId;
	/** Whether invoking needs the network owner's provider key for this platform. */
	needsKey: boolean;
	invoke(model: ModelInfo, input: Payload, options: InvokeOptions): Promise<InvokeResult>;
}

/** A failure a platform understood: whether retrying may help, and when. */
export class PlatformError extends Error {
	readonly retryable: boolean;
	readonly retryAfterMs?: number;
	constructor(message: string, options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
		super(message, { cause: options.cause });
		this.name = 'PlatformError';
		this.retryable = options.retryable ?? false;
		this.retryAfterMs = options.retryAfterMs;
	}
}

/** Models that run in this process (local, dummy): a lookup by id and a direct call. */
export function inProcessPlatform(id: PlatformId, models: LocalModel[]): Platform {
	const byId = new Map(models.map((m) => [m.info.id, m]));
	return {
		id,
		needsKey: false,
		async invoke(model, input, { signal, params }) {
			const local = byId.get(model.id);
			if (!local) throw new PlatformError(`${model.id} is not a ${id} model.`);
			return { output: await local.run(input, { ...local.info.defaults, ...params }, signal) };
		}
	};
}

export type PlatformRegistry = ReadonlyMap<PlatformId, Platform>;

export function builtInPlatforms(extra: Platform[] = []): PlatformRegistry {
	const all = [inProcessPlatform('local', LOCAL_MODELS), inProcessPlatform('dummy', DUMMY_MODELS), ...extra];
	return new Map(all.map((p) => [p.id, p]));
}
