/**
 * "Check key": verifies a user's provider key with one call to the provider's
 * cheapest authenticated endpoint, made through the official client so the
 * check exercises the same auth path a run will use.
 *
 *   replicate    replicate.accounts.current()   GET /v1/account
 *   openai       client.models.list()           GET /v1/models (first page only)
 *   huggingface  whoAmI({ accessToken, hubUrl }) GET /api/whoami-v2
 *
 * The result is for people: every failure carries a message that says what went
 * wrong and what to do next. Messages are written here, never copied from the
 * provider (OpenAI's 401 text, for one, echoes part of the key), and the key
 * itself never appears in a result or a thrown error.
 *
 * The check is quick and bounded: one request, no client retries, and a hard
 * timeout (default 10 s) that holds even if a library ignores its abort signal.
 */
import OpenAI from 'openai';
import { whoAmI } from '@huggingface/hub';
import type { HostedPlatformId } from '../shared/platforms/types';
import {
	createOpenAIClient,
	createReplicateClient,
	hfHubParams,
	providerHttpStatus,
	providerRetryAfterSeconds,
	replayFirstAttempt,
	type ProviderConfig
} from './clients';
import { untilAborted } from './until-aborted';

export type KeyCheckFailureReason = 'refused' | 'rate_limited' | 'unavailable' | 'timeout';

export interface KeyCheckFailure {
	ok: false;
	reason: KeyCheckFailureReason;
	/** User-facing: what happened and what to do next. */
	message: string;
	/** The provider's HTTP status, when it answered. */
	status?: number;
	/** From the provider's Retry-After header, when given. */
	retryAfterSeconds?: number;
}

export type KeyCheckResult = { ok: true; /** Provider account name, when the endpoint reports one. */ account?: string } | KeyCheckFailure;

export interface KeyCheckOptions {
	/** Aborting rejects the check with the signal's reason (no result: the caller gave up). */
	signal?: AbortSignal;
	/** Give up after this long and report `timeout` (default 10 000 ms). */
	timeoutMs?: number;
}

export const DEFAULT_KEY_CHECK_TIMEOUT_MS = 10_000;

/** Longest key we send anywhere; real ones are well under 200 characters. */
const MAX_KEY_LENGTH = 1024;

export const PLATFORM_NAMES: Record<HostedPlatformId, string> = {
	replicate: 'Replicate',
	openai: 'OpenAI',
	huggingface: 'Hugging Face'
};

/** One authenticated call per platform; resolves with the account name if known. */
type Probe = (key: string, config: ProviderConfig, signal: AbortSignal, timeoutMs: number) => Promise<string | undefined>;

const PROBES: Record<HostedPlatformId, Probe> = {
	async replicate(key, config, signal) {
		// replayFirstAttempt: the client would otherwise re-send a 429/5xx GET five times.
		const client = createReplicateClient(key, config, { fetch: replayFirstAttempt() });
		const account = await client.accounts.current({ signal });
		return account.username;
	},

	async openai(key, config, signal, timeoutMs) {
		const client = createOpenAIClient(key, config, { maxRetries: 0, timeout: timeoutMs });
		// Awaiting the page promise fetches the first page only; the key check needs no more.
		await client.models.list({ signal });
		return undefined; // the models list does not say whose key it is
	},

	async huggingface(key, config, signal) {
		// whoAmI takes no signal, but it takes a fetch.
		const info = await whoAmI({ ...hfHubParams(key, config), fetch: (input, init) => fetch(input, { ...init, signal }) });
		return info.name;
	}
};

/**
 * Checks a provider key. Resolves with `{ ok: true }` or a classified failure; it
 * rejects only when `options.signal` aborts.
 */
export async function checkProviderKey(
	platform: HostedPlatformId,
	key: string,
	config: ProviderConfig,
	options: KeyCheckOptions = {}
): Promise<KeyCheckResult> {
	const name = PLATFORM_NAMES[platform];
	const probe = PROBES[platform];
	if (!name || !probe) throw new TypeError(`Not a hosted platform: ${String(platform)}`);

	const malformed = checkKeyFormat(platform, key);
	if (malformed) return malformed;

	const { signal: callerSignal, timeoutMs = DEFAULT_KEY_CHECK_TIMEOUT_MS } = options;
	callerSignal?.throwIfAborted();

	// One signal for the request: aborted by the caller or by our timer.
	const controller = new AbortController();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort(new DOMException(`${name} key check timed out`, 'TimeoutError'));
	}, timeoutMs);
	const onCallerAbort = () => controller.abort(callerSignal?.reason);
	callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

	try {
		const account = await untilAborted(probe(key, config, controller.signal, timeoutMs), controller.signal);
		return account ? { ok: true, account } : { ok: true };
	} catch (err) {
		if (callerSignal?.aborted && !timedOut) throw callerSignal.reason;
		// openai's own per-request timeout (set to the same value) may fire a moment before ours.
		if (timedOut || err instanceof OpenAI.APIConnectionTimeoutError) {
			const seconds = Math.round(timeoutMs / 100) / 10;
			return fail('timeout', `${name} did not answer within ${seconds} seconds. Try again in a minute.`);
		}
		return classify(name, err);
	} finally {
		clearTimeout(timer);
		callerSignal?.removeEventListener('abort', onCallerAbort);
	}
}

function fail(
	reason: KeyCheckFailureReason,
	message: string,
	extra: { status?: number; retryAfterSeconds?: number } = {}
): KeyCheckFailure {
	const result: KeyCheckFailure = { ok: false, reason, message };
	if (extra.status !== undefined) result.status = extra.status;
	if (extra.retryAfterSeconds !== undefined) result.retryAfterSeconds = extra.retryAfterSeconds;
	return result;
}

/**
 * Catches keys that cannot work before sending them anywhere: empty, pasted with
 * spaces or line breaks (which also could not go into an HTTP header), or — for
 * Hugging Face — without the `hf_` prefix that @huggingface/hub insists on.
 */
function checkKeyFormat(platform: HostedPlatformId, key: string): KeyCheckFailure | undefined {
	const name = PLATFORM_NAMES[platform];
	if (typeof key !== 'string' || key.trim() === '') {
		return fail('refused', `No ${name} key was given. Paste your key and check again.`);
	}
	if (key.length > MAX_KEY_LENGTH) {
		return fail('refused', `That is too long to be a ${name} key. Copy just the key and check again.`);
	}
	if (!/^[\x21-\x7e]+$/.test(key)) {
		return fail(
			'refused',
			`The ${name} key contains spaces, line breaks or other characters keys never have. Paste just the key and check again.`
		);
	}
	if (platform === 'huggingface' && !key.startsWith('hf_')) {
		return fail(
			'refused',
			'Hugging Face access tokens start with "hf_". Copy the whole token from huggingface.co/settings/tokens and check again.'
		);
	}
	return undefined;
}

/** Turns a provider library error into a user-facing failure. */
function classify(name: string, err: unknown): KeyCheckFailure {
	const status = providerHttpStatus(err);
	if (status === 401 || status === 403) {
		const hint =
			status === 401
				? 'Check that you pasted the whole key.'
				: 'Check that the key is still active and allowed to use the API.';
		return fail('refused', `The ${name} key was refused (${status}). ${hint}`, { status });
	}
	if (status === 429) {
		const retryAfterSeconds = providerRetryAfterSeconds(err);
		const wait =
			retryAfterSeconds !== undefined && retryAfterSeconds > 0
				? `Wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`
				: 'Wait a minute';
		return fail('rate_limited', `${name} is rate-limiting this key right now (429). ${wait} and check again.`, {
			status,
			retryAfterSeconds
		});
	}
	if (status !== undefined && status >= 500) {
		return fail(
			'unavailable',
			`${name} had a problem on its side (${status}), so the key could not be checked. Try again in a few minutes.`,
			{ status }
		);
	}
	if (status !== undefined) {
		return fail(
			'unavailable',
			`${name} answered the key check with an unexpected status (${status}). Try again later; if it keeps happening, the server's ${name} address may be misconfigured.`,
			{ status }
		);
	}
	if (isNetworkError(err)) {
		return fail(
			'unavailable',
			`${name} could not be reached to check the key. Check the server's internet connection, or try again in a few minutes.`
		);
	}
	return fail(
		'unavailable',
		`${name} gave an answer PANIC could not understand, so the key could not be checked. Try again later.`
	);
}

/** Connection-level failures (refused, reset, DNS), as opposed to odd answers. */
function isNetworkError(err: unknown): boolean {
	if (err instanceof OpenAI.APIConnectionError) return true;
	// undici (Node's fetch) reports every connection failure as `TypeError: fetch failed`.
	return err instanceof TypeError && /fetch failed/i.test(err.message);
}
