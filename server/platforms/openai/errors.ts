import OpenAI from 'openai';
import { platformErrorFrom } from '../hosted/errors';
import { PlatformError } from '../platform';

/**
 * OpenAI's own failure shapes, before the shared mapping: a safety refusal arrives as a
 * plain 400 (`content_policy_violation` for images, `moderation_blocked` elsewhere), which
 * the shared mapping would call `invalid_input`; the engine retries safety refusals with a
 * harmless input instead, so they are recognised here first.
 */

const SAFETY_CODES: ReadonlySet<string> = new Set(['content_policy_violation', 'moderation_blocked']);

export function openaiErrorFrom(error: unknown): unknown {
	if (error instanceof OpenAI.APIError && error.status === 400 && SAFETY_CODES.has(String(error.code))) {
		return refused(error.requestID ?? undefined, error.status, error);
	}
	const requestId = error instanceof OpenAI.APIError ? (error.requestID ?? undefined) : undefined;
	return platformErrorFrom('openai', error, requestId);
}

export function refused(requestId?: string, status?: number, cause?: unknown): PlatformError {
	return new PlatformError('OpenAI refused the input on safety grounds.', { kind: 'safety', requestId, status, cause });
}

export function invalidOutput(what: string, requestId?: string): PlatformError {
	return new PlatformError(`OpenAI ${what}.`, { kind: 'invalid_output', requestId });
}
