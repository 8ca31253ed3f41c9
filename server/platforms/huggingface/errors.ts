import {
	InferenceClientHubApiError,
	InferenceClientInputError,
	InferenceClientProviderApiError,
	InferenceClientProviderOutputError,
	InferenceClientRoutingError
} from '@huggingface/inference';
import { PlatformError } from '../platform';
import { retryAfterMs } from '../clients';
import { platformErrorFrom } from '../hosted/errors';
import type { HfProvider } from './served';

/**
 * What `@huggingface/inference` threw, as a PlatformError the engine can act on. Messages
 * are PANIC's own: the library's carry the provider's text (which may echo input, or worse).
 *
 * The library's HTTP errors carry status and body but not headers, so the caller passes what
 * its `fetch` saw of the last response (`Retry-After`, `x-request-id`).
 */

const SOURCE = 'Hugging Face';
const SAFETY = /nsfw|safety|content policy|inappropriate/i;

export interface CallContext {
	repo: string;
	provider: HfProvider;
	retryAfter?: string;
	requestId?: string;
}

/** The model is not (or no longer) served where the call went: retired, unmapped, removed. */
export function goneFrom(repo: string, provider: HfProvider): string {
	return `Hugging Face's ${provider} route no longer serves ${repo}; pick another provider for the node, or another model.`;
}

export function errorFrom(error: unknown, context: CallContext): unknown {
	const { requestId, repo, provider } = context;
	if (error instanceof PlatformError) return error;
	if (error instanceof InferenceClientProviderOutputError) {
		return new PlatformError(`${SOURCE} gave an answer PANIC could not understand.`, { kind: 'invalid_output', requestId, cause: error });
	}
	if (error instanceof InferenceClientInputError) {
		// Thrown after the Hub's mapping answer, before any inference request: the Hub maps the
		// model to no provider of that name ("We have not been able to find inference provider
		// information…"), or only for another task ("… is not supported for task …").
		if (/inference provider information|is not supported for task/i.test(error.message)) {
			return new PlatformError(goneFrom(repo, provider), { kind: 'model_gone', requestId, cause: error });
		}
		return new PlatformError(`${SOURCE} cannot run ${repo} on ${provider} as asked.`, { kind: 'invalid_input', requestId, cause: error });
	}
	if (error instanceof InferenceClientRoutingError) {
		return new PlatformError(`${SOURCE} cannot route ${repo} to ${provider}.`, { kind: 'invalid_input', requestId, cause: error });
	}
	if (error instanceof InferenceClientHubApiError) {
		const status = error.httpResponse.status;
		// 404: no such repository any more. 200 without a mapping field: the Hub maps it nowhere.
		if (status === 404 || (status >= 200 && status < 300)) {
			const message = status === 404 ? `Hugging Face no longer has a model named ${repo}.` : goneFrom(repo, provider);
			return new PlatformError(message, { kind: 'model_gone', status, requestId, cause: error });
		}
	}
	const status = error instanceof InferenceClientProviderApiError ? error.httpResponse.status : undefined;
	if (status === 402) {
		return new PlatformError(
			"The owner's Hugging Face account has used its Inference Providers credits (402). The owner can buy credit or subscribe to PRO on huggingface.co; until then no Hugging Face model can run.",
			{ kind: 'no_credit', status, requestId, cause: error }
		);
	}
	// The router answers 404 (410) when the provider does not know the model it was asked for:
	// the mapping the client cached at its first call has since been removed.
	if (status === 404 || status === 410) {
		return new PlatformError(goneFrom(repo, provider), { kind: 'model_gone', status, requestId, cause: error });
	}
	if (status !== undefined && status >= 400 && status < 500 && ![401, 403, 429].includes(status) && SAFETY.test(error instanceof Error ? error.message : '')) {
		return new PlatformError(`${SOURCE} refused the input on safety grounds (${status}).`, { kind: 'safety', status, requestId, cause: error });
	}
	const mapped = platformErrorFrom('huggingface', error, requestId);
	if (!(mapped instanceof PlatformError) || !mapped.retryable || mapped.retryAfterMs !== undefined) return mapped;
	const wait = retryAfterMs(context.retryAfter) ?? estimatedLoadMs(error);
	if (wait === undefined) return mapped;
	return new PlatformError(mapped.message, { kind: mapped.kind, status: mapped.status, requestId, retryAfterMs: wait, cause: error });
}

/** A cold model answers 503 `{ error: '... is currently loading', estimated_time: <seconds> }`. */
function estimatedLoadMs(error: unknown): number | undefined {
	if (!(error instanceof InferenceClientProviderApiError)) return undefined;
	const seconds = (error.httpResponse.body as { estimated_time?: unknown } | null)?.estimated_time;
	return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : undefined;
}
