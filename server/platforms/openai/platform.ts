import type OpenAI from 'openai';
import { createOpenAIClient, type ProviderConfig } from '../clients';
import { PlatformError, type InvokeResult, type Platform } from '../platform';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';
import { speak, transcribe } from './audio';
import { checkOpenAIAvailability } from './availability';
import { embedText } from './embeddings';
import { openaiErrorFrom } from './errors';
import { editImage, generateImage } from './images';
import { callParams, type Call } from './inputs';
import type { OpenAIEmbedderInfo, OpenAIEndpoint, OpenAIModelInfo } from './models';
import { chat, describeImage } from './text';

/**
 * The OpenAI platform: one client per call with the network owner's key, no retries in
 * the library (the engine owns retrying, so each logical call reaches OpenAI once), and
 * every failure turned into a PlatformError the engine understands. Which endpoint and
 * fixed parameters a model uses comes from its catalogue entry (`openai` spec).
 */

export interface OpenAIPlatformOptions {
	/** Per-request timeout; image generation can take a minute. */
	timeoutMs?: number;
	fetch?: typeof fetch;
	/** Bound on the whole model-list check (default 10 s, as for the key check). */
	availabilityTimeoutMs?: number;
	/** Today's date, for shutdown dates in the model list (tests set it). */
	today?: () => Date;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_AVAILABILITY_TIMEOUT_MS = 10_000;

const ENDPOINTS: Record<OpenAIEndpoint, (call: Call) => Promise<InvokeResult>> = {
	chat,
	vision: describeImage,
	image: generateImage,
	'image-edit': editImage,
	transcribe,
	speech: speak
};

export function createOpenAIPlatform(config: ProviderConfig, options: OpenAIPlatformOptions = {}): Platform {
	const clientFor = (key: string | undefined): OpenAI => {
		if (!key) throw new PlatformError('The network owner has no OpenAI key. The owner can add one under Account → Keys.', { kind: 'auth' });
		return createOpenAIClient(key, config, { maxRetries: 0, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch: options.fetch });
	};

	return {
		id: 'openai',
		needsKey: true,
		async invoke(model, input, { signal, key, params }) {
			const spec = openaiModel(model);
			return calling(signal, spec.openai.model, () =>
				ENDPOINTS[spec.openai.endpoint]({ client: clientFor(key), model: spec, input, params: callParams(spec, params), signal })
			);
		},
		async embed(embedder, input, { signal, key }) {
			const spec = openaiEmbedder(embedder);
			return calling(signal, spec.openai.model, () => embedText(clientFor(key), spec, input, signal));
		},
		async checkAvailability(entries, { key, signal }) {
			const timeoutMs = options.availabilityTimeoutMs ?? DEFAULT_AVAILABILITY_TIMEOUT_MS;
			if (!key) throw new PlatformError('The network owner has no OpenAI key. The owner can add one under Account → Keys.', { kind: 'auth' });
			const client = createOpenAIClient(key, config, { maxRetries: 0, timeout: timeoutMs, fetch: options.fetch });
			return checkOpenAIAvailability(client, entries, { signal, timeoutMs, today: options.today?.() });
		}
	};
}

/** Runs a call, passing an abort through as itself and anything else as a PlatformError. */
async function calling<T>(signal: AbortSignal, apiModel: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		if (signal.aborted) throw signal.reason ?? error;
		throw openaiErrorFrom(error, apiModel);
	}
}

/** The model as an OpenAI catalogue entry, checked, since the engine passes a plain ModelInfo. */
function openaiModel(model: ModelInfo): OpenAIModelInfo {
	const spec = (model as Partial<OpenAIModelInfo>).openai;
	const valid =
		model.platform === 'openai' &&
		typeof spec === 'object' &&
		spec !== null &&
		Object.hasOwn(ENDPOINTS, spec.endpoint) &&
		typeof spec.model === 'string' &&
		typeof spec.params === 'object' &&
		typeof spec.pricing === 'object';
	if (!valid) throw new PlatformError(`${model.id} is not an OpenAI model PANIC knows how to call.`, { kind: 'invalid_input' });
	return model as OpenAIModelInfo;
}

function openaiEmbedder(embedder: EmbedderInfo): OpenAIEmbedderInfo {
	const spec = (embedder as Partial<OpenAIEmbedderInfo>).openai;
	if (embedder.platform !== 'openai' || typeof spec?.model !== 'string' || typeof spec.pricing !== 'object') {
		throw new PlatformError(`${embedder.id} is not an OpenAI embedder PANIC knows how to call.`, { kind: 'invalid_input' });
	}
	return embedder as OpenAIEmbedderInfo;
}
