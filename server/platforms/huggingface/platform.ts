import {
	InferenceClientInputError,
	InferenceClientProviderApiError,
	InferenceClientProviderOutputError,
	InferenceClientRoutingError,
	type InferenceClient
} from '@huggingface/inference';
import { createHfInferenceClient, type ProviderConfig } from '../clients';
import { PlatformError, type Platform } from '../platform';
import { platformErrorFrom } from '../hosted/errors';
import { binaryPayload } from '../hosted/media';
import type { EmbedderInfo, ModelInfo, Payload } from '../types';
import type { HuggingFaceSpec, HuggingFaceTask } from './models';

/**
 * The Hugging Face platform: each invocation is one task call through `@huggingface/inference`
 * on the `hf-inference` provider, with the network owner's token. Binary inputs go up as the
 * request body (never as a URL: PANIC's assets are not public), binary outputs come back as
 * bytes. The client never retries (`retry_on_error: false`): the engine owns retrying.
 *
 * The library's HTTP errors carry status and body but not headers, so each call's `fetch`
 * remembers the last response's `Retry-After` and `x-request-id` for the error it may become.
 */

const SOURCE = 'Hugging Face';

/**
 * Parameters a node may set, per task; anything else in `defaults`/`params` is dropped.
 * Image-to-text and speech recognition take none: the library posts their input as the raw
 * body, where parameters have no place to go.
 */
const KNOWN_PARAMETERS: Record<HuggingFaceTask, readonly string[]> = {
	'image-to-text': [],
	'automatic-speech-recognition': [],
	'text-to-speech': [],
	'text-to-image': ['negative_prompt', 'guidance_scale', 'num_inference_steps', 'width', 'height', 'seed'],
	'image-to-image': ['prompt', 'negative_prompt', 'guidance_scale', 'num_inference_steps'],
	'chat-completion': ['system', 'max_tokens', 'temperature', 'top_p'],
	'feature-extraction': []
};

/** What the task's input and output modalities must be. */
const MODALITIES: Record<HuggingFaceTask, { input: Payload['kind']; output?: Payload['kind'] }> = {
	'image-to-text': { input: 'image', output: 'text' },
	'automatic-speech-recognition': { input: 'audio', output: 'text' },
	'text-to-speech': { input: 'text', output: 'audio' },
	'text-to-image': { input: 'text', output: 'image' },
	'image-to-image': { input: 'image', output: 'image' },
	'chat-completion': { input: 'text', output: 'text' },
	'feature-extraction': { input: 'text' }
};

const SAFETY = /nsfw|safety|content policy|inappropriate/i;

export interface HuggingFacePlatformOptions {
	/** The `fetch` under the client (tests; a proxy). Defaults to the global one. */
	fetch?: typeof fetch;
}

export function createHuggingFacePlatform(config: ProviderConfig, options: HuggingFacePlatformOptions = {}): Platform {
	return {
		id: 'huggingface',
		needsKey: true,
		async invoke(model, input, { signal, key, params }) {
			const spec = specOf(model);
			checkInput(spec, model, input);
			if (MODALITIES[spec.task].output !== model.output) {
				throw new PlatformError(`${model.id} does not give ${model.output} through ${spec.task}.`, { kind: 'invalid_input' });
			}
			const parameters = parametersFor(spec, { ...model.defaults, ...params });
			const { value, requestId, elapsedSeconds } = await call(config, options, key, signal, (client) => runTask(client, spec, input, parameters));
			return { output: value.output, requestId, metrics: { ...value.metrics, elapsedSeconds } };
		},
		async embed(embedder, input, { signal, key }) {
			const spec = specOf(embedder);
			checkInput(spec, embedder, input);
			if (spec.task !== 'feature-extraction') {
				throw new PlatformError(`${embedder.id} is not an embedder PANIC can call.`, { kind: 'invalid_input' });
			}
			const inputs = textOf(input);
			const { value: vector, requestId, elapsedSeconds } = await call(config, options, key, signal, async (client) =>
				vectorFrom(await client.featureExtraction({ model: spec.repo, provider: spec.provider, inputs }), embedder.dimensions)
			);
			return { vector, requestId, metrics: { elapsedSeconds } };
		}
	};
}

/** The call spec a catalogue entry carries, or a clear error when it carries none. */
function specOf(entry: ModelInfo | EmbedderInfo): HuggingFaceSpec {
	const spec = (entry as { huggingface?: Partial<HuggingFaceSpec> }).huggingface;
	if (!spec || typeof spec.repo !== 'string' || !spec.task || !(spec.task in KNOWN_PARAMETERS) || spec.provider !== 'hf-inference') {
		throw new PlatformError(`${entry.id} has no Hugging Face call spec (task, repo, provider); it is not a model PANIC can call there.`, { kind: 'invalid_input' });
	}
	return spec as HuggingFaceSpec;
}

function checkInput(spec: HuggingFaceSpec, entry: ModelInfo | EmbedderInfo, input: Payload): void {
	if (input.kind !== MODALITIES[spec.task].input) {
		throw new PlatformError(`${entry.id} takes ${MODALITIES[spec.task].input}, not ${input.kind}.`, { kind: 'invalid_input' });
	}
}

/** The node's parameters this task knows, with the spec's fixed ones on top. */
function parametersFor(spec: HuggingFaceSpec, given: Record<string, unknown>): Record<string, unknown> {
	const known = Object.fromEntries(KNOWN_PARAMETERS[spec.task].filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
	return { ...known, ...spec.fixed };
}

type TaskResult = { output: Payload; metrics?: Record<string, number> };

async function runTask(client: InferenceClient, spec: HuggingFaceSpec, input: Payload, parameters: Record<string, unknown>): Promise<TaskResult> {
	const { repo: model, provider } = spec;
	switch (spec.task) {
		case 'image-to-text': {
			const { generated_text } = await client.imageToText({ model, provider, inputs: blobOf(input) });
			return { output: textPayload(generated_text) };
		}
		case 'automatic-speech-recognition': {
			const result: unknown = await client.automaticSpeechRecognition({ model, provider, inputs: blobOf(input) });
			return { output: textPayload((result as { text?: unknown } | null)?.text) };
		}
		case 'text-to-speech': {
			const text = textOf(input);
			const audio: unknown = await client.textToSpeech({ model, provider, inputs: text });
			return { output: await bytesPayload('audio', audio), metrics: { characters: text.length } };
		}
		case 'text-to-image': {
			const image = await client.textToImage({ model, provider, inputs: textOf(input), parameters }, { outputType: 'blob' });
			return { output: await bytesPayload('image', image) };
		}
		case 'image-to-image': {
			const image: unknown = await client.imageToImage({ model, provider, inputs: blobOf(input), parameters });
			return { output: await bytesPayload('image', image) };
		}
		case 'chat-completion':
			return chat(client, spec, textOf(input), parameters);
		case 'feature-extraction':
			throw new PlatformError(`${model} is an embedder, not a model to wire into a network.`, { kind: 'invalid_input' });
	}
}

async function chat(client: InferenceClient, spec: HuggingFaceSpec, text: string, parameters: Record<string, unknown>): Promise<TaskResult> {
	const { system, ...rest } = parameters;
	const messages = [
		...(typeof system === 'string' && system.length > 0 ? [{ role: 'system', content: system }] : []),
		{ role: 'user', content: text }
	];
	const result: unknown = await client.chatCompletion({ model: spec.repo, provider: spec.provider, messages, ...rest });
	const { choices, usage } = (result ?? {}) as {
		choices?: Array<{ message?: { content?: unknown } }>;
		usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
	};
	const content = choices?.[0]?.message?.content;
	// Reasoning models (SmolLM3, Qwen3) may wrap a thought in <think> even when told not to think.
	const answer = typeof content === 'string' ? content.replace(/<think>[\s\S]*?<\/think>/g, '') : content;
	const metrics: Record<string, number> = {};
	if (typeof usage?.prompt_tokens === 'number') metrics.inputTokens = usage.prompt_tokens;
	if (typeof usage?.completion_tokens === 'number') metrics.outputTokens = usage.completion_tokens;
	if (typeof usage?.total_tokens === 'number') metrics.totalTokens = usage.total_tokens;
	return { output: textPayload(answer), metrics };
}

/**
 * One logical call: a client for this key whose `fetch` follows the call's signal (the
 * library's Hub look-up passes none) and remembers the last response's headers.
 */
async function call<T>(
	config: ProviderConfig,
	options: HuggingFacePlatformOptions,
	key: string | undefined,
	signal: AbortSignal,
	run: (client: InferenceClient) => Promise<T>
): Promise<{ value: T; requestId?: string; elapsedSeconds: number }> {
	if (!key) throw new PlatformError(`Hugging Face models need the network owner's Hugging Face key.`, { kind: 'auth' });
	const base = options.fetch ?? globalThis.fetch;
	const last: LastResponse = {};
	const fetch: typeof globalThis.fetch = async (input, init) => {
		const response = await base(input, { ...init, signal: init?.signal ?? signal });
		last.retryAfter = response.headers.get('retry-after') ?? undefined;
		last.requestId = response.headers.get('x-request-id') ?? undefined;
		return response;
	};
	const client = createHfInferenceClient(key, config, { fetch, signal, retry_on_error: false });
	const started = performance.now();
	try {
		const value = await run(client);
		return { value, requestId: last.requestId, elapsedSeconds: (performance.now() - started) / 1000 };
	} catch (error) {
		if (signal.aborted) throw signal.reason ?? error;
		throw errorFrom(error, last);
	}
}

interface LastResponse {
	retryAfter?: string;
	requestId?: string;
}

/** A PlatformError for what the library threw, with what only this adapter can see. */
function errorFrom(error: unknown, last: LastResponse): unknown {
	const { requestId } = last;
	if (error instanceof PlatformError) return error;
	if (error instanceof InferenceClientProviderOutputError) {
		return new PlatformError(`${SOURCE} gave an answer PANIC could not understand.`, { kind: 'invalid_output', requestId, cause: error });
	}
	if (error instanceof InferenceClientInputError || error instanceof InferenceClientRoutingError) {
		return new PlatformError(`${SOURCE} cannot run this model on hf-inference as asked.`, { kind: 'invalid_input', requestId, cause: error });
	}
	const status = error instanceof InferenceClientProviderApiError ? error.httpResponse.status : undefined;
	if (status !== undefined && status >= 400 && status < 500 && ![401, 403, 429].includes(status) && SAFETY.test(error instanceof Error ? error.message : '')) {
		return new PlatformError(`${SOURCE} refused the input on safety grounds (${status}).`, { kind: 'safety', status, requestId, cause: error });
	}
	const mapped = platformErrorFrom('huggingface', error, requestId);
	if (!(mapped instanceof PlatformError) || !mapped.retryable || mapped.retryAfterMs !== undefined) return mapped;
	const retryAfterMs = retryAfterMsFrom(last.retryAfter) ?? estimatedLoadMs(error);
	if (retryAfterMs === undefined) return mapped;
	return new PlatformError(mapped.message, { kind: mapped.kind, status: mapped.status, requestId, retryAfterMs, cause: error });
}

/** Milliseconds from a `Retry-After` value (seconds or an HTTP date). */
function retryAfterMsFrom(value: string | undefined, now = Date.now()): number | undefined {
	const trimmed = value?.trim();
	if (!trimmed) return undefined;
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed)) * 1000;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A cold model answers 503 `{ error: '... is currently loading', estimated_time: <seconds> }`. */
function estimatedLoadMs(error: unknown): number | undefined {
	if (!(error instanceof InferenceClientProviderApiError)) return undefined;
	const seconds = (error.httpResponse.body as { estimated_time?: unknown } | null)?.estimated_time;
	return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : undefined;
}

function blobOf(input: Payload): Blob {
	if (input.kind === 'text') throw new PlatformError('Expected image or audio input, got text.', { kind: 'invalid_input' });
	return new Blob([Buffer.from(input.bytes)], { type: input.mime });
}

function textOf(input: Payload): string {
	if (input.kind !== 'text') throw new PlatformError(`Expected text input, got ${input.kind}.`, { kind: 'invalid_input' });
	return input.text;
}

function textPayload(text: unknown): Payload {
	const trimmed = typeof text === 'string' ? text.trim() : '';
	if (!trimmed) throw new PlatformError(`${SOURCE} returned no text.`, { kind: 'invalid_output' });
	return { kind: 'text', text: trimmed };
}

async function bytesPayload(kind: 'image' | 'audio', value: unknown): Promise<Payload> {
	if (!(value instanceof Blob)) throw new PlatformError(`${SOURCE} returned data where ${kind} bytes were expected.`, { kind: 'invalid_output' });
	return binaryPayload(kind, new Uint8Array(await value.arrayBuffer()), SOURCE);
}

/**
 * A sentence vector from feature-extraction: `number[]` for one sentence, or the same inside
 * a batch of one. Token-level output (`number[][]` of many rows) is not a sentence vector.
 */
function vectorFrom(raw: unknown, dimensions: number | undefined): number[] {
	const row = Array.isArray(raw) && raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw;
	const ok = Array.isArray(row) && row.length > 0 && row.every((x) => typeof x === 'number' && Number.isFinite(x));
	if (!ok || (dimensions !== undefined && row.length !== dimensions)) {
		const size = dimensions === undefined ? '' : ` of ${dimensions} numbers`;
		throw new PlatformError(`${SOURCE} returned something that is not a sentence vector${size}.`, { kind: 'invalid_output' });
	}
	return row as number[];
}
