import type OpenAI from 'openai';
import { PlatformError } from '../platform';
import type { Modality, Payload } from '../types';
import type { OpenAIEndpoint, OpenAIModelInfo } from './models';

/**
 * What PANIC sends OpenAI besides the payload. A node may adjust only the keys listed for
 * its endpoint (prompts, sizes, voices); everything else (model name, response formats,
 * `n`, streaming) stays fixed by the catalogue entry, so a node's params can never turn a
 * call into something the adapter cannot read or that costs many times the estimate.
 */

export type Params = Record<string, string | number>;
type Check = (value: unknown) => value is string | number;

const text = (max: number): Check => (v): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const number = (min: number, max: number): Check => (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const oneOf = (...values: string[]): Check => (v): v is string => typeof v === 'string' && values.includes(v);

const IMAGE_QUALITY = oneOf('low', 'medium', 'high', 'auto', 'standard', 'hd');
const IMAGE_SIZE = oneOf('1024x1024', '1024x1536', '1536x1024', '1792x1024', '1024x1792', 'auto');
const VOICE = oneOf('alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar');

const ADJUSTABLE: Record<OpenAIEndpoint, Record<string, Check>> = {
	chat: { system: text(4000), temperature: number(0, 2), max_completion_tokens: number(1, 4096) },
	vision: { prompt: text(4000), detail: oneOf('low', 'high', 'auto'), max_completion_tokens: number(1, 4096) },
	image: { quality: IMAGE_QUALITY, size: IMAGE_SIZE, style: oneOf('vivid', 'natural') },
	'image-edit': { prompt: text(32000), quality: IMAGE_QUALITY, size: IMAGE_SIZE },
	transcribe: { language: text(10), prompt: text(1000) },
	speech: { voice: VOICE, speed: number(0.25, 4), instructions: text(4000) }
};

/**
 * The entry's fixed params, then its defaults, then the node's params: adjustable keys
 * only. Unknown keys are ignored (a node may outlive a model's options); a known key with
 * a bad value is the node's mistake and fails the step as `invalid_input`.
 */
export function resolveParams(model: OpenAIModelInfo, params: Record<string, unknown>): Params {
	const allowed = ADJUSTABLE[model.openai.endpoint];
	const resolved: Params = { ...model.openai.params };
	for (const source of [model.defaults, params]) {
		for (const [key, value] of Object.entries(source)) {
			const check = allowed[key];
			if (!check || value === undefined || value === null) continue;
			if (!check(value)) throw new PlatformError(`${model.name} cannot use ${JSON.stringify(value)} as its “${key}”.`, { kind: 'invalid_input' });
			resolved[key] = value;
		}
	}
	return resolved;
}

/** The input as the modality the endpoint reads, or an `invalid_input` PlatformError. */
export function expectPayload<K extends Modality>(input: Payload, kind: K, modelName: string): Extract<Payload, { kind: K }> {
	if (input.kind !== kind) throw new PlatformError(`${modelName} takes ${kind}, not ${input.kind}.`, { kind: 'invalid_input' });
	return input as Extract<Payload, { kind: K }>;
}

/** A string param the catalogue entry always sets (a prompt, a voice). */
export function stringParam(params: Params, key: string): string {
	const value = params[key];
	if (typeof value !== 'string') throw new PlatformError(`The OpenAI model is missing its “${key}” setting.`, { kind: 'invalid_input' });
	return value;
}

/** One invocation as an endpoint module sees it. */
export interface Call {
	client: OpenAI;
	model: OpenAIModelInfo;
	input: Payload;
	params: Params;
	signal: AbortSignal;
}
