import type { ProviderConfig } from '../clients';
import { createHuggingFacePlatform } from '../huggingface/platform';
import { HUGGINGFACE_EMBEDDERS, HUGGINGFACE_MODELS } from '../huggingface/models';
import { createOpenAIPlatform } from '../openai/platform';
import { OPENAI_EMBEDDERS, OPENAI_MODELS } from '../openai/models';
import type { Platform } from '../platform';
import { createReplicatePlatform } from '../replicate/platform';
import { REPLICATE_EMBEDDERS, REPLICATE_MODELS } from '../replicate/models';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';

/**
 * The curated hosted catalogue and the adapters that run it. Each entry carries its
 * provider's call spec (under `replicate`, `openai` or `huggingface`), which the adapter
 * reads; the API strips it (see `publicModelInfo`).
 */
export const HOSTED_MODELS: readonly ModelInfo[] = [...REPLICATE_MODELS, ...OPENAI_MODELS, ...HUGGINGFACE_MODELS];
export const HOSTED_EMBEDDERS: readonly EmbedderInfo[] = [...REPLICATE_EMBEDDERS, ...OPENAI_EMBEDDERS, ...HUGGINGFACE_EMBEDDERS];

/** One adapter per hosted platform, each pointed at its base URL from the config. */
export function hostedPlatforms(config: ProviderConfig): Platform[] {
	return [createReplicatePlatform(config), createOpenAIPlatform(config), createHuggingFacePlatform(config)];
}
