/**
 * Factories for the official provider clients, built per user key.
 *
 * Everything that talks to Replicate, OpenAI or Hugging Face goes through these,
 * so a base-URL override (a fake server in tests, a proxy in production) applies
 * everywhere at once and no code path can silently fall back to the real API.
 *
 * These modules never read `process.env`: the app passes its config in (server/config.ts
 * fills `replicateBaseUrl`, `openaiBaseUrl`, `hfBaseUrl` from REPLICATE_BASE_URL,
 * OPENAI_BASE_URL, HF_BASE_URL). We also pass explicit values
 * where a library would otherwise read its own env vars (REPLICATE_API_TOKEN,
 * OPENAI_ORG_ID, ...), so the server's environment never mixes with a user's key.
 *
 * Option names were checked against the installed packages:
 * - replicate 1.4.0 `index.d.ts`: `new Replicate({ auth, baseUrl, fetch, userAgent, useFileOutput, fileEncodingStrategy })`;
 *   base URL default `https://api.replicate.com/v1` (index.js). No retry option exists.
 * - openai 6.x `client.d.ts` `ClientOptions`: `apiKey, baseURL, maxRetries (default 2), timeout (ms, default 10 min),
 *   fetch, organization, project`; base URL default `https://api.openai.com/v1`.
 * - @huggingface/inference 4 `InferenceClient.d.ts` / `types.d.ts` `Options`:
 *   `new InferenceClient(accessToken, { endpointUrl, fetch, signal, retry_on_error, billTo })`.
 *   Hub and router URLs are constants in its `config.js`, so overriding them needs `fetch`.
 * - @huggingface/hub 2.17 `who-am-i.ts` etc.: functions take `{ accessToken, hubUrl, fetch }`;
 *   tokens must start with `hf_` or the library throws a TypeError before any request.
 */
import Replicate from 'replicate';
import OpenAI, { type ClientOptions as OpenAIClientOptions } from 'openai';
import { InferenceClient, type Options as HfInferenceOptions } from '@huggingface/inference';
import { HubApiError } from '@huggingface/hub';

/** Where each provider's API lives. Unset means the provider's real public API. */
export interface ProviderConfig {
	/** Replicate API root including `/v1`, like the library's `baseUrl` (e.g. `http://127.0.0.1:9001/v1`). */
	replicateBaseUrl?: string;
	/** OpenAI API root including `/v1`, like the library's `baseURL`. */
	openaiBaseUrl?: string;
	/**
	 * Hugging Face origin standing in for `https://huggingface.co` (Hub API). Inference
	 * router calls (`https://router.huggingface.co/...`) go to `<hfBaseUrl>/router/...`.
	 */
	hfBaseUrl?: string;
	/** Extra hosts output files may be downloaded from, trusted as configured (PANIC_OUTPUT_HOSTS). */
	outputHosts?: readonly string[];
}

export const REPLICATE_DEFAULT_BASE_URL = 'https://api.replicate.com/v1';
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const HF_HUB_URL = 'https://huggingface.co';
export const HF_ROUTER_URL = 'https://router.huggingface.co';

type Fetch = typeof fetch;

/** Refuses empty keys: some libraries fall back to an env var token when given none. */
function requireKey(key: string, provider: string): string {
	if (typeof key !== 'string' || key.length === 0) throw new TypeError(`A ${provider} key is required`);
	return key;
}

export type ReplicateClientOptions = Omit<NonNullable<ConstructorParameters<typeof Replicate>[0]>, 'auth' | 'baseUrl'>;

/**
 * A Replicate client for one key.
 *
 * Note: on failure the client throws an `ApiError` whose `request` holds the
 * Authorization header; never log or serialise those errors whole.
 * Note: for GET requests the client retries 429 and 5xx up to 5 more times with
 * (in 1.4.0) no effective back-off; pass `fetch: replayFirstAttempt()` for a
 * one-request client that must not hammer the API.
 */
export function createReplicateClient(key: string, config: ProviderConfig, options: ReplicateClientOptions = {}): Replicate {
	return new Replicate({
		...options,
		auth: requireKey(key, 'Replicate'),
		baseUrl: config.replicateBaseUrl || REPLICATE_DEFAULT_BASE_URL
	});
}

export type OpenAIFactoryOptions = Omit<
	OpenAIClientOptions,
	'apiKey' | 'baseURL' | 'adminAPIKey' | 'organization' | 'project' | 'webhookSecret' | 'workloadIdentity' | 'provider'
>;

/** An OpenAI client for one key. Retries and timeout keep the library defaults unless given. */
export function createOpenAIClient(key: string, config: ProviderConfig, options: OpenAIFactoryOptions = {}): OpenAI {
	return new OpenAI({
		...options,
		apiKey: requireKey(key, 'OpenAI'),
		baseURL: config.openaiBaseUrl || OPENAI_DEFAULT_BASE_URL,
		// Explicit nulls stop the library from picking these up from the server's env.
		adminAPIKey: null,
		organization: null,
		project: null,
		webhookSecret: null
	});
}

/**
 * A Hugging Face inference client for one token. With `hfBaseUrl` set, every
 * request the library makes to the Hub or the router is redirected there (the
 * library has no base-URL option): provider routes are router paths
 * (`https://router.huggingface.co/groq/openai/v1/chat/completions` →
 * `<hfBaseUrl>/router/groq/openai/v1/chat/completions`), and any other URL is refused
 * rather than sent to the real internet (with a non-`hf_` key the library would call a
 * provider's own API, e.g. api.groq.com). Caveat: some provider helpers (fal-ai,
 * wavespeed, zai-org polling; replicate and hf-inference output downloads) call the
 * global `fetch` directly, past this option; the HF adapter avoids those paths.
 */
export function createHfInferenceClient(
	key: string,
	config: ProviderConfig,
	options: HfInferenceOptions & { endpointUrl?: string } = {}
): InferenceClient {
	const hfBaseUrl = config.hfBaseUrl?.replace(/\/+$/, '');
	const fetch = hfBaseUrl
		? redirectingFetch(
				options.fetch ?? globalThis.fetch,
				[
					[HF_ROUTER_URL, `${hfBaseUrl}/router`],
					[HF_HUB_URL, hfBaseUrl]
				],
				{ refuseOthers: true }
			)
		: options.fetch;
	return new InferenceClient(requireKey(key, 'Hugging Face'), { ...options, fetch });
}

/** Parameters to spread into `@huggingface/hub` functions (`whoAmI`, `listModels`, ...). */
export function hfHubParams(key: string, config: ProviderConfig): { accessToken: string; hubUrl: string } {
	return {
		accessToken: requireKey(key, 'Hugging Face'),
		hubUrl: config.hfBaseUrl?.replace(/\/+$/, '') || HF_HUB_URL
	};
}

/**
 * A `fetch` that rewrites URLs starting with one origin to another base. Only
 * whole origins match (`https://huggingface.co.evil` does not match `https://huggingface.co`).
 * With `refuseOthers`, a URL no rewrite matches is refused (a TypeError, as fetch throws)
 * instead of being fetched as is: nothing slips past the configured base to the real service.
 */
export function redirectingFetch(base: Fetch, rewrites: Array<[from: string, to: string]>, { refuseOthers = false } = {}): Fetch {
	return (input, init) => {
		const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
		for (const [from, to] of rewrites) {
			const rest = url.slice(from.length);
			if (url.startsWith(from) && (rest === '' || rest.startsWith('/') || rest.startsWith('?'))) {
				const target = to + rest;
				return input instanceof Request ? base(new Request(target, input), init) : base(target, init);
			}
		}
		if (refuseOthers && !rewrites.some(([, to]) => url.startsWith(to))) {
			return Promise.reject(new TypeError(`Refused to fetch ${new URL(url).origin}: only the configured Hugging Face base URL is reached.`));
		}
		return base(input, init);
	};
}

/**
 * A `fetch` for a client that makes exactly one logical request: the first call
 * goes to the network and every later call replays its outcome (a clone of the
 * same response, or the same error) without touching the network.
 *
 * Why: replicate 1.4.0 retries GETs on 429/5xx (and POSTs on 429) inside
 * `request()`, with no option to turn that off. Through this fetch its retries see
 * the same answer instantly, so the provider gets one request and the caller gets
 * the first status as an `ApiError`. Use a fresh one per client; do not share.
 */
export function replayFirstAttempt(base: Fetch = globalThis.fetch): Fetch {
	let first: Promise<Response> | undefined;
	return (input, init) => {
		first ??= base(input, init);
		return first.then((response) => response.clone());
	};
}

/** The HTTP status behind an error thrown by any of the provider libraries, if there was one. */
export function providerHttpStatus(err: unknown): number | undefined {
	if (err instanceof OpenAI.APIError) return err.status;
	if (err instanceof HubApiError) return err.statusCode;
	if (typeof err !== 'object' || err === null) return undefined;
	// replicate's ApiError (not exported as a class): `{ name: 'ApiError', response: Response }`.
	const response = (err as { response?: unknown }).response;
	if (response instanceof Response) return response.status;
	// @huggingface/inference's HTTP errors carry `httpResponse: { status, ... }`.
	const httpResponse = (err as { httpResponse?: { status?: unknown } }).httpResponse;
	if (typeof httpResponse?.status === 'number') return httpResponse.status;
	return undefined;
}

/** Seconds to wait from a `Retry-After` header on a provider error, when the library exposes headers. */
export function providerRetryAfterSeconds(err: unknown, now: number = Date.now()): number | undefined {
	let headers: Headers | undefined;
	if (err instanceof OpenAI.APIError) headers = err.headers;
	else if (typeof err === 'object' && err !== null && (err as { response?: unknown }).response instanceof Response) {
		headers = ((err as { response: Response }).response).headers;
	}
	const ms = retryAfterMs(headers?.get('retry-after') ?? undefined, now);
	return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/** Milliseconds to wait from a `Retry-After` value: whole seconds (rounded up) or an HTTP date. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
	const trimmed = value?.trim();
	if (!trimmed) return undefined;
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed)) * 1000;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
