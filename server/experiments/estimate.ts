import type { ModelInfo } from '../shared/platforms/types';
import type { OpenAIPricing } from '../platforms/openai/models';
import type { ReplicateBilling } from '../platforms/replicate/spec';

/**
 * What an experiment may cost before it starts. Prices come from where the engine's spend
 * (and so `maxSpendUsd`) comes from: the catalogue entries' billing (Replicate) and list
 * prices (OpenAI) that the platforms turn into each call's `costUsd`. Only prices fixed per
 * call are known in advance; a price per second, token or character depends on the call, so
 * it is reported as unknown rather than guessed. Built-in models (local, dummy) cost nothing.
 */

/** One model an experiment's runs may call, with its price per call (null: not known in advance). */
export interface ModelPrice {
	modelId: string;
	name: string;
	platform: string;
	usdPerCall: number | null;
	/** How the provider bills it, for people (the catalogue's words). */
	pricing: string | null;
}

export interface CostEstimate {
	/** Model calls at most: prompts × runs per prompt × steps (a run ends at its budget). */
	invocations: number;
	models: ModelPrice[];
	/** The range over which models the steps call (cheapest for every step .. dearest for every step); null when a price is unknown. */
	lowUsd: number | null;
	highUsd: number | null;
	/** True when every model is built in: nothing is spent. */
	free: boolean;
}

const BUILT_IN = new Set(['local', 'dummy']);

/** A model's price per call when it is fixed in advance; null when it depends on the call or is not known. */
export function usdPerCall(model: ModelInfo): number | null {
	if (BUILT_IN.has(model.platform)) return 0;
	if (model.platform === 'replicate') {
		const billing = (model as ModelInfo & { replicate?: { billing?: ReplicateBilling } }).replicate?.billing;
		// One output per call: PANIC fixes num_outputs to 1 where the model takes it.
		return billing?.per === 'output' ? billing.usd : null;
	}
	if (model.platform === 'openai') {
		const pricing = (model as ModelInfo & { openai?: { pricing?: OpenAIPricing } }).openai?.pricing;
		if (!pricing) return null;
		// Billed by tokens, audio minutes or characters: depends on the call.
		const variable = [pricing.inputPerMTokens, pricing.outputPerMTokens, pricing.imageInputPerMTokens, pricing.perAudioMinute, pricing.perMCharacters];
		if (variable.some((rate) => rate !== undefined)) return null;
		return pricing.perImage ?? null;
	}
	return null; // Hugging Face reports no price; models added by name may have none
}

/** The estimate for `invocations` model calls through `models` (those reachable from the start node). */
export function estimateCost(models: readonly ModelInfo[], invocations: number): CostEstimate {
	const unique = [...new Map(models.map((m) => [m.id, m])).values()];
	const priced: ModelPrice[] = unique.map((m) => ({ modelId: m.id, name: m.name, platform: m.platform, usdPerCall: usdPerCall(m), pricing: m.pricing ?? null }));
	const prices = priced.map((p) => p.usdPerCall);
	const known = prices.every((p): p is number => p !== null);
	const free = priced.every((p) => BUILT_IN.has(p.platform));
	const round = (usd: number) => Math.round(usd * 1e6) / 1e6;
	return {
		invocations,
		models: priced,
		lowUsd: known ? round(prices.length ? invocations * Math.min(...prices) : 0) : null,
		highUsd: known ? round(prices.length ? invocations * Math.max(...prices) : 0) : null,
		free
	};
}
