import { z } from 'zod';
import { PlatformError } from '../platform';
import type { ReplicateBilling, ReplicateSpec } from './spec';

/**
 * Reading a finished prediction: its output (in the shape the spec promises), its failure
 * (as a PlatformError the engine can act on) and its cost. Pure, so every odd answer
 * Replicate might give is cheap to test.
 */

export const predictionSchema = z.object({
	id: z.string().min(1),
	status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
	output: z.unknown().optional(),
	error: z.unknown().optional(),
	metrics: z.record(z.string(), z.unknown()).nullish()
});
export type Prediction = z.infer<typeof predictionSchema>;

export const FINISHED: ReadonlySet<Prediction['status']> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

/** What a finished prediction yielded: text, or the URLs of its output files. */
export type ReadOutput = { kind: 'text'; text: string } | { kind: 'files'; urls: string[] };

function invalid(model: string, requestId: string, what: string): PlatformError {
	return new PlatformError(`Replicate model ${model} returned ${what}.`, { kind: 'invalid_output', requestId });
}

export function readOutput(spec: ReplicateSpec, prediction: Prediction): ReadOutput {
	let raw = prediction.output;
	if (spec.outputField) {
		if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(spec.model, prediction.id, 'an output of an unexpected shape');
		raw = (raw as Record<string, unknown>)[spec.outputField];
	}
	const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((v) => typeof v === 'string') ? (raw as string[]) : undefined;
	if (!values) throw invalid(spec.model, prediction.id, 'an output of an unexpected shape');
	if (spec.outputShape === 'file') {
		const urls = values.filter((v) => v.length > 0);
		if (urls.length === 0) throw invalid(spec.model, prediction.id, 'no output file');
		return { kind: 'files', urls };
	}
	let text = values.join('').trim();
	if (spec.stripPrefix && text.startsWith(spec.stripPrefix)) text = text.slice(spec.stripPrefix.length).trim();
	if (!text) throw invalid(spec.model, prediction.id, 'an empty text');
	return { kind: 'text', text };
}

const vectorSchema = z.object({ embedding: z.array(z.number()).min(1) });
const embeddingOutputSchema = z.union([
	/** krthr/clip-embeddings: `{ embedding }`. */
	vectorSchema,
	/** andreasjansson/clip-features: `[{ input, embedding }]`, one per input line. */
	z.array(vectorSchema).min(1)
]);

/** The vector of an embedding answer, in either shape the curated embedders use. */
export function readEmbedding(model: string, prediction: Prediction): number[] {
	const parsed = embeddingOutputSchema.safeParse(prediction.output);
	if (!parsed.success) throw invalid(model, prediction.id, 'no embedding');
	return Array.isArray(parsed.data) ? parsed.data[0].embedding : parsed.data.embedding;
}

const SAFETY = /nsfw|safety|flagged|sensitive/i;

/**
 * The error for a prediction that ended without output. Replicate's error text is model
 * output, so it is cleaned (no links, nothing token-like) and shortened before it is shown.
 */
export function predictionFailure(model: string, prediction: Prediction): PlatformError {
	const requestId = prediction.id;
	const text = typeof prediction.error === 'string' ? prediction.error : '';
	if (prediction.status === 'failed' && SAFETY.test(text)) {
		return new PlatformError(`Replicate’s safety filter refused the input or output of ${model}.`, { kind: 'safety', requestId });
	}
	if (prediction.status !== 'failed') {
		return new PlatformError(`The prediction of ${model} was ${prediction.status} on Replicate.`, { kind: 'other', requestId });
	}
	const detail = sanitise(text);
	return new PlatformError(`${model} failed on Replicate${detail ? `: ${detail}` : '.'}`, { kind: 'other', requestId });
}

function sanitise(text: string): string {
	const clean = text
		.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[link]')
		.replace(/[A-Za-z0-9_\-+/=]{24,}/g, '[…]')
		.replace(/\s+/g, ' ')
		.trim();
	return clean.length > 120 ? `${clean.slice(0, 119)}…` : clean;
}

export interface Cost {
	costUsd?: number;
	metrics: Record<string, number>;
}

/**
 * Replicate's metrics in PANIC's names, and the cost they imply under `billing`. `characters`
 * is the length of the text sent, for models billed by character.
 */
export function costOf(billing: ReplicateBilling | undefined, prediction: Prediction, outputCount: number, characters?: number): Cost {
	const reported = prediction.metrics ?? {};
	const number = (name: string) => (typeof reported[name] === 'number' && Number.isFinite(reported[name]) ? (reported[name] as number) : undefined);
	const metrics: Record<string, number> = { outputCount, ...(characters === undefined ? {} : { characters }) };
	const named: Array<[string, string]> = [
		['predictTimeSeconds', 'predict_time'],
		['totalTimeSeconds', 'total_time'],
		['inputTokens', 'input_token_count'],
		['outputTokens', 'output_token_count']
	];
	for (const [ours, theirs] of named) {
		const value = number(theirs);
		if (value !== undefined) metrics[ours] = value;
	}
	return { costUsd: billing && estimate(billing, metrics), metrics };
}

function estimate(billing: ReplicateBilling, metrics: Record<string, number>): number | undefined {
	switch (billing.per) {
		case 'output':
			return billing.usd * metrics.outputCount;
		case 'second':
			return metrics.predictTimeSeconds === undefined ? undefined : billing.usd * metrics.predictTimeSeconds;
		case 'token':
			if (metrics.inputTokens === undefined && metrics.outputTokens === undefined) return undefined;
			return ((metrics.inputTokens ?? 0) * billing.inputUsdPerMillion + (metrics.outputTokens ?? 0) * billing.outputUsdPerMillion) / 1e6;
		case 'character':
			return metrics.characters === undefined ? undefined : (metrics.characters * billing.usdPerThousand) / 1000;
	}
}
