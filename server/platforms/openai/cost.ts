import type { OpenAIPricing } from './models';

/**
 * What one OpenAI call used, as the flat numeric metrics the engine records, and its
 * estimated price. Token prices win over per-image prices when the response reported
 * tokens, since that is what OpenAI bills.
 */
export interface Usage {
	inputTokens?: number;
	/** The part of `inputTokens` that was image input (GPT Image edits). */
	imageInputTokens?: number;
	outputTokens?: number;
	imageCount?: number;
	audioSeconds?: number;
	characters?: number;
}

export interface Priced {
	metrics: Record<string, number>;
	costUsd?: number;
}

const PER_MILLION = 1_000_000;

export function priced(pricing: OpenAIPricing, usage: Usage): Priced {
	const metrics: Record<string, number> = {};
	for (const [name, value] of Object.entries(usage)) {
		if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
	}
	if (metrics.inputTokens !== undefined && metrics.outputTokens !== undefined) {
		metrics.totalTokens = metrics.inputTokens + metrics.outputTokens;
	}

	let cost = 0;
	let known = false;
	const add = (amount: number | undefined, rate: number | undefined, per: number) => {
		if (amount === undefined || rate === undefined) return;
		cost += (amount * rate) / per;
		known = true;
	};
	const { inputTokens, imageInputTokens, outputTokens } = metrics;
	if (imageInputTokens !== undefined && pricing.imageInputPerMTokens !== undefined) {
		add(imageInputTokens, pricing.imageInputPerMTokens, PER_MILLION);
		add(inputTokens === undefined ? undefined : inputTokens - imageInputTokens, pricing.inputPerMTokens, PER_MILLION);
	} else {
		add(inputTokens, pricing.inputPerMTokens, PER_MILLION);
	}
	add(outputTokens, pricing.outputPerMTokens, PER_MILLION);
	if (inputTokens === undefined && outputTokens === undefined) add(metrics.imageCount, pricing.perImage, 1);
	add(metrics.audioSeconds, pricing.perAudioMinute, 60);
	add(metrics.characters, pricing.perMCharacters, PER_MILLION);
	return known ? { metrics, costUsd: cost } : { metrics };
}
