import type { ModelInfo, Payload } from '../../shared/platforms/types';

/** A model that runs in this process: no key, no network, deterministic. */
export interface LocalModel {
	info: ModelInfo;
	run(input: Payload, params: Record<string, unknown>, signal?: AbortSignal): Promise<Payload>;
}
