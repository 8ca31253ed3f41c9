import type { InferenceClient } from '@huggingface/inference';
import { createHfInferenceClient, type ProviderConfig } from '../clients';
import { providerFileHosts } from '../hosted/file-hosts';
import { binaryPayload, toDataUri } from '../hosted/media';
import { resolveParams } from '../params';
import { PlatformError, type Platform } from '../platform';
import type { EmbedderInfo, ModelInfo, Payload } from '../../shared/platforms/types';
import { checkHuggingFaceAvailability } from './availability';
import { errorFrom } from './errors';
import { CALLABLE_PROVIDERS, type HuggingFaceSpec, type HuggingFaceTask } from './models';
import { guardingOutputs, type OutputContext } from './outputs';
import type { HfProvider } from './served';

/**
 * The Hugging Face platform: each invocation is one task call through `@huggingface/inference`
 * with the network owner's token, on the inference provider the node picked (its `provider`
 * setting) or the entry's default. Binary inputs go up in the request (never as a URL: PANIC's
 * assets are not public); output files a provider names are downloaded by PANIC's guarded
 * downloader (see outputs.ts). The client never retries (`retry_on_error: false`): the engine
 * owns retrying.
 *
 * Only `hf_` tokens are used: with any other key the client would call the provider's own API
 * directly (api.groq.com …) instead of Hugging Face's router.
 */

const SOURCE = 'Hugging Face';

/** What the task's input and output modalities must be. */
const MODALITIES: Record<HuggingFaceTask, { input: Payload['kind']; output?: Payload['kind'] }> = {
	'chat-completion': { input: 'text', output: 'text' },
	'image-chat': { input: 'image', output: 'text' },
	'automatic-speech-recognition': { input: 'audio', output: 'text' },
	'text-to-image': { input: 'text', output: 'image' },
	'image-to-image': { input: 'image', output: 'image' },
	'feature-extraction': { input: 'text' },
	'image-to-text': { input: 'image', output: 'text' },
	'text-to-speech': { input: 'text', output: 'audio' }
};

/** Tasks whose answers may name an output file the client would fetch itself (replicate, hf-inference `{ output: [url] }`). */
const NAMES_OUTPUT_FILES: ReadonlySet<HuggingFaceTask> = new Set(['text-to-image', 'image-to-image', 'text-to-speech']);

export interface HuggingFacePlatformOptions {
	/** The `fetch` under the client (tests; a proxy). Defaults to the global one. */
	fetch?: typeof fetch;
}

export function createHuggingFacePlatform(config: ProviderConfig, options: HuggingFacePlatformOptions = {}): Platform {
	const policy = providerFileHosts(config);
	return {
		id: 'huggingface',
		needsKey: true,
		async invoke(model, input, { signal, key, params }) {
			const spec = specOf(model);
			checkInput(spec, model, input);
			if (MODALITIES[spec.task].output !== model.output) {
				throw new PlatformError(`${model.id} does not give ${model.output} through ${spec.task}.`, { kind: 'invalid_input' });
			}
			const { provider: chosen, ...parameters } = resolveParams(model.name, model.params, model.defaults, params);
			const provider = providerOf(spec, model, chosen);
			const outputs: OutputContext = { policy, signal, source: `Hugging Face model ${model.name} on ${provider}` };
			const { value, requestId, elapsedSeconds } = await call(config, options, { key, signal, repo: spec.repo, provider, outputs: NAMES_OUTPUT_FILES.has(spec.task) ? outputs : undefined }, (client) =>
				runTask(client, spec, provider, input, { ...parameters, ...spec.fixed })
			);
			return { output: value.output, requestId, metrics: { ...value.metrics, elapsedSeconds } };
		},
		async embed(embedder, input, { signal, key }) {
			const spec = specOf(embedder);
			checkInput(spec, embedder, input);
			if (spec.task !== 'feature-extraction') {
				throw new PlatformError(`${embedder.id} is not an embedder PANIC can call.`, { kind: 'invalid_input' });
			}
			const inputs = textOf(input);
			const { provider, repo } = spec;
			const { value: vector, requestId, elapsedSeconds } = await call(config, options, { key, signal, repo, provider }, async (client) =>
				vectorFrom(await client.featureExtraction({ model: repo, provider, inputs }), embedder.dimensions)
			);
			return { vector, requestId, metrics: { elapsedSeconds } };
		},
		checkAvailability(entries, { key, signal }) {
			return checkHuggingFaceAvailability(entries, { key, signal, config, fetch: options.fetch });
		}
	};
}

/** The call spec a catalogue entry carries, or a clear error when it carries none. */
function specOf(entry: ModelInfo | EmbedderInfo): HuggingFaceSpec {
	const spec = (entry as { huggingface?: Partial<HuggingFaceSpec> }).huggingface;
	const ok =
		spec &&
		typeof spec.repo === 'string' &&
		spec.task !== undefined &&
		spec.task in MODALITIES &&
		typeof spec.provider === 'string' &&
		CALLABLE_PROVIDERS[spec.task].includes(spec.provider);
	if (!ok) throw new PlatformError(`${entry.id} has no Hugging Face call spec (task, repo, provider); it is not a model PANIC can call there.`, { kind: 'invalid_input' });
	return spec as HuggingFaceSpec;
}

/** The node's chosen provider, checked against the entry's list (and what PANIC can call), or the default. */
function providerOf(spec: HuggingFaceSpec, model: ModelInfo, chosen: unknown): HfProvider {
	if (chosen === undefined) return spec.provider;
	const allowed = (spec.providers ?? [spec.provider]).filter((p) => CALLABLE_PROVIDERS[spec.task].includes(p));
	if (typeof chosen !== 'string' || !allowed.includes(chosen as HfProvider)) {
		throw new PlatformError(`${model.name} cannot run on ${JSON.stringify(chosen)}: it runs on ${allowed.join(', ')}.`, { kind: 'invalid_input' });
	}
	return chosen as HfProvider;
}

function checkInput(spec: HuggingFaceSpec, entry: ModelInfo | EmbedderInfo, input: Payload): void {
	if (input.kind !== MODALITIES[spec.task].input) {
		throw new PlatformError(`${entry.id} takes ${MODALITIES[spec.task].input}, not ${input.kind}.`, { kind: 'invalid_input' });
	}
}

type TaskResult = { output: Payload; metrics?: Record<string, number> };

async function runTask(
	client: InferenceClient,
	spec: HuggingFaceSpec,
	provider: HfProvider,
	input: Payload,
	parameters: Record<string, unknown>
): Promise<TaskResult> {
	const model = spec.repo;
	switch (spec.task) {
		case 'chat-completion':
		case 'image-chat':
			return chat(client, model, provider, messagesFor(spec.task, input, parameters), parameters);
		case 'automatic-speech-recognition': {
			const result: unknown = await client.automaticSpeechRecognition({ model, provider, inputs: blobOf(input) });
			return { output: textPayload((result as { text?: unknown } | null)?.text) };
		}
		case 'text-to-image': {
			const image: unknown = await client.textToImage({ model, provider, inputs: textOf(input), parameters }, { outputType: 'blob' });
			return { output: await bytesPayload('image', image) };
		}
		case 'image-to-image': {
			const image: unknown = await client.imageToImage({ model, provider, inputs: blobOf(input), parameters });
			return { output: await bytesPayload('image', image) };
		}
		case 'image-to-text': {
			const { generated_text } = await client.imageToText({ model, provider, inputs: blobOf(input) });
			return { output: textPayload(generated_text) };
		}
		case 'text-to-speech': {
			const text = textOf(input);
			const audio: unknown = await client.textToSpeech({ model, provider, inputs: text });
			return { output: await bytesPayload('audio', audio), metrics: { characters: text.length } };
		}
		case 'feature-extraction':
			throw new PlatformError(`${model} is an embedder, not a model to wire into a network.`, { kind: 'invalid_input' });
	}
}

type Message = { role: string; content: string | Array<Record<string, unknown>> };

/** Text: an optional system prompt, then the text. Image: the prompt and the image as a data URI, in one user turn. */
function messagesFor(task: 'chat-completion' | 'image-chat', input: Payload, parameters: Record<string, unknown>): Message[] {
	if (task === 'image-chat') {
		if (input.kind === 'text') throw new PlatformError('Expected image input, got text.', { kind: 'invalid_input' });
		const prompt = typeof parameters.prompt === 'string' && parameters.prompt ? parameters.prompt : 'Describe this image.';
		return [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url: toDataUri(input) } }] }];
	}
	const { system } = parameters;
	return [...(typeof system === 'string' && system.length > 0 ? [{ role: 'system', content: system }] : []), { role: 'user', content: textOf(input) }];
}

async function chat(client: InferenceClient, model: string, provider: HfProvider, messages: Message[], parameters: Record<string, unknown>): Promise<TaskResult> {
	const { system: _system, prompt: _prompt, ...rest } = parameters;
	const result: unknown = await client.chatCompletion({ model, provider, messages: messages as never, ...rest });
	const { choices, usage } = (result ?? {}) as {
		choices?: Array<{ message?: { content?: unknown } }>;
		usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
	};
	const content = choices?.[0]?.message?.content;
	// Reasoning models may wrap a thought in <think> in the content itself.
	const answer = typeof content === 'string' ? content.replace(/<think>[\s\S]*?<\/think>/g, '') : content;
	const metrics: Record<string, number> = {};
	if (typeof usage?.prompt_tokens === 'number') metrics.inputTokens = usage.prompt_tokens;
	if (typeof usage?.completion_tokens === 'number') metrics.outputTokens = usage.completion_tokens;
	if (typeof usage?.total_tokens === 'number') metrics.totalTokens = usage.total_tokens;
	return { output: textPayload(answer), metrics };
}

interface CallOptions {
	key: string | undefined;
	signal: AbortSignal;
	repo: string;
	provider: HfProvider;
	/** Set for tasks whose answers name output files the client would fetch itself. */
	outputs?: OutputContext;
}

/**
 * One logical call: a client for this key whose `fetch` follows the call's signal (the
 * library's Hub look-up passes none) and remembers the last response's headers.
 */
async function call<T>(
	config: ProviderConfig,
	options: HuggingFacePlatformOptions,
	{ key, signal, repo, provider, outputs }: CallOptions,
	run: (client: InferenceClient) => Promise<T>
): Promise<{ value: T; requestId?: string; elapsedSeconds: number }> {
	if (!key) throw new PlatformError(`Hugging Face models need the network owner's Hugging Face key.`, { kind: 'auth' });
	if (!key.startsWith('hf_')) {
		throw new PlatformError(`The network owner's Hugging Face key was refused: Hugging Face tokens start with hf_. The owner can check it under Account → Keys.`, { kind: 'auth' });
	}
	const base = options.fetch ?? globalThis.fetch;
	const last: { retryAfter?: string; requestId?: string } = {};
	const observed: typeof globalThis.fetch = async (input, init) => {
		const response = await base(input, { ...init, signal: init?.signal ?? signal });
		last.retryAfter = response.headers.get('retry-after') ?? undefined;
		last.requestId = response.headers.get('x-request-id') ?? undefined;
		return response;
	};
	const fetch = outputs ? guardingOutputs(observed, outputs) : observed;
	const client = createHfInferenceClient(key, config, { fetch, signal, retry_on_error: false });
	const started = performance.now();
	try {
		const value = await run(client);
		return { value, requestId: last.requestId, elapsedSeconds: (performance.now() - started) / 1000 };
	} catch (error) {
		if (signal.aborted) throw signal.reason ?? error;
		throw errorFrom(error, { repo, provider, ...last });
	}
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
 * a batch of one (deepinfra's `data[].embedding` arrives so). Token-level output (`number[][]`
 * of many rows) is not a sentence vector.
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
