import type OpenAI from 'openai';
import { PlatformError } from '../platform';
import type { Modality, Payload } from '../../shared/platforms/types';
import { resolveParams } from '../params';
import type { OpenAIModelInfo } from './models';

/**
 * What PANIC sends OpenAI besides the payload: the node's settings, checked against the
 * entry's ParamSpecs by the shared resolveParams (so a node can only send what the model
 * takes, with values it takes), then the entry's fixed params over them. The model name,
 * `n`, response formats and streaming are never node settings, so a node's params can never
 * turn a call into something the adapter cannot read or that costs many times the estimate.
 */

export type Params = Record<string, string | number | boolean>;

export function callParams(model: OpenAIModelInfo, params: Record<string, unknown>): Params {
	return { ...resolveParams(model.name, model.params, model.defaults, params), ...model.openai.params };
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
