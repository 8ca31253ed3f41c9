import OpenAI from 'openai';
import { platformErrorFrom } from '../hosted/errors';
import { PlatformError } from '../platform';
import { knownShutdownDate } from './served';

/**
 * OpenAI's own failure shapes, before the shared mapping (which goes by HTTP status alone):
 * - a safety refusal arrives as a plain 400 (`content_policy_violation` for images,
 *   `moderation_blocked` elsewhere); the engine retries those with a harmless input;
 * - an account out of credit is a 429 with `insufficient_quota`, which no wait will fix, so it
 *   is `no_credit` (stops the run) rather than a retryable rate limit;
 * - a retired or unknown model is a 404 `model_not_found`: `model_gone`, named, never
 *   "invalid input", so the owner knows to pick another model.
 * Messages are PANIC's own: OpenAI's text can echo parts of a key.
 */

const SAFETY_CODES: ReadonlySet<string> = new Set(['content_policy_violation', 'moderation_blocked']);

export const NO_CREDIT_MESSAGE =
	"The owner's OpenAI account has no credit: add credit at platform.openai.com/settings/organization/billing, then start the run again.";

/** `model` is the API model id the call named, for the message when OpenAI no longer serves it. */
export function openaiErrorFrom(error: unknown, model?: string): unknown {
	if (!(error instanceof OpenAI.APIError)) return platformErrorFrom('openai', error);
	const requestId = error.requestID ?? undefined;
	const base = { status: error.status, requestId, cause: error };
	const code = String(error.code ?? '');
	if (error.status === 400 && SAFETY_CODES.has(code)) return refused(requestId, error.status, error);
	if (error.status === 429 && (code === 'insufficient_quota' || error.type === 'insufficient_quota')) {
		return new PlatformError(NO_CREDIT_MESSAGE, { ...base, kind: 'no_credit', retryable: false });
	}
	if (error.status === 404 && code === 'model_not_found') {
		return new PlatformError(`${modelGoneReason(model ?? 'this model')}. Choose another model for this node.`, { ...base, kind: 'model_gone' });
	}
	return platformErrorFrom('openai', error, requestId);
}

/** "OpenAI no longer serves dall-e-3 (shut down 2026-05-12)", with the date when it has passed and is known. */
export function modelGoneReason(model: string, shutdownDate = knownShutdownDate(model), today = new Date()): string {
	const past = shutdownDate !== undefined && shutdownDate <= today.toISOString().slice(0, 10);
	return `OpenAI no longer serves ${model}${past ? ` (shut down ${shutdownDate})` : ''}`;
}

export function refused(requestId?: string, status?: number, cause?: unknown): PlatformError {
	return new PlatformError('OpenAI refused the input on safety grounds.', { kind: 'safety', requestId, status, cause });
}

export function invalidOutput(what: string, requestId?: string): PlatformError {
	return new PlatformError(`OpenAI ${what}.`, { kind: 'invalid_output', requestId });
}
