import OpenAI from 'openai';
import { providerHttpStatus, providerRetryAfterSeconds } from '../clients';
import { PlatformError } from '../platform';
import { PLATFORM_NAMES } from '../key-check';
import type { HostedPlatformId } from '../../shared/platforms/types';

/**
 * Turns whatever a provider library threw into a PlatformError the engine can act on.
 * Messages are written here (provider text can echo a key); the original error stays as
 * `cause` for logs. Aborts pass through untouched: the run ended, nobody needs a message.
 */
export function platformErrorFrom(platform: HostedPlatformId, error: unknown, requestId?: string): unknown {
	if (error instanceof PlatformError) return error;
	if (isAbort(error)) return error;
	const name = PLATFORM_NAMES[platform];
	const status = providerHttpStatus(error);
	const base = { status, requestId, cause: error };
	if (status === 401 || status === 403) {
		return new PlatformError(
			`The network owner's ${name} key was refused (${status}). The owner can check it under Account → Keys.`,
			{ ...base, kind: 'auth' }
		);
	}
	if (status === 429) {
		const seconds = providerRetryAfterSeconds(error);
		return new PlatformError(`${name} is rate-limiting the owner's key (429).`, {
			...base,
			kind: 'rate_limited',
			retryAfterMs: seconds === undefined ? undefined : seconds * 1000
		});
	}
	if (status !== undefined && (status >= 500 || status === 408 || status === 409)) {
		return new PlatformError(`${name} had a problem on its side (${status}).`, { ...base, kind: 'unavailable' });
	}
	if (status !== undefined) {
		return new PlatformError(`${name} refused the request (${status}).`, { ...base, kind: 'invalid_input' });
	}
	if (error instanceof OpenAI.APIConnectionTimeoutError) {
		return new PlatformError(`${name} did not answer in time.`, { ...base, kind: 'timeout' });
	}
	if (isNetworkError(error)) {
		return new PlatformError(`${name} could not be reached.`, { ...base, kind: 'unavailable' });
	}
	return new PlatformError(`${name} gave an answer PANIC could not understand.`, { ...base, kind: 'invalid_output' });
}

export function isAbort(error: unknown): boolean {
	if (error instanceof OpenAI.APIUserAbortError) return true;
	return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** Connection-level failures (refused, reset, DNS), as opposed to odd answers. */
export function isNetworkError(error: unknown): boolean {
	if (error instanceof OpenAI.APIConnectionError) return true;
	// undici (Node's fetch) reports every connection failure as `TypeError: fetch failed`.
	return error instanceof TypeError && /fetch failed/i.test(error.message);
}
