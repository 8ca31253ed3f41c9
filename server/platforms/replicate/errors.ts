import { providerHttpStatus, providerRetryAfterSeconds } from '../clients';
import { platformErrorFrom } from '../hosted/errors';
import { PlatformError } from '../platform';

/**
 * Replicate's failures as Replicate sends them (RFC 7807 problem details `{ title, detail,
 * status }`), read into PANIC's kinds. What the shared `platformErrorFrom` cannot know:
 * - 429: Replicate documents `detail: "… resets in ~30s."` and may send `retry_after` in the
 *   body; the `Retry-After` header wins when present (research §4.1).
 * - 402: "Billing required" and "Insufficient credit" both mean the owner's account cannot pay,
 *   which every further call would meet too: `no_credit` stops the run.
 * - 404 on a model, 422 "Invalid version or not permitted": the model or its version is gone,
 *   which is not the caller's input being wrong.
 * Messages are PANIC's own; the problem body stays in `cause` only (it may echo a key).
 */

/** The problem body a replicate 1.4 `ApiError` carries, if one can be read. */
export interface ReplicateProblem {
	title?: string;
	detail?: string;
	status?: number;
	retry_after?: unknown;
}

/**
 * replicate 1.4 reads the response body before throwing (`response.text()` in `request()`),
 * so `error.response.json()` fails; the text is kept only inside the message,
 * "Request to <url> failed with status <n> <text>: <body>.". The body is taken from there.
 */
export function problemOf(error: unknown): ReplicateProblem | undefined {
	if (!(error instanceof Error) || error.name !== 'ApiError') return undefined;
	const message = error.message;
	const start = message.indexOf('{', message.indexOf(' failed with status '));
	const end = message.lastIndexOf('}');
	if (start < 0 || end <= start) return undefined;
	try {
		const body: unknown = JSON.parse(message.slice(start, end + 1));
		return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as ReplicateProblem) : undefined;
	} catch {
		return undefined;
	}
}

/** Longest wait a 429 may ask for before PANIC's own retry policy caps it anyway. */
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * Seconds a 429 asks to wait: the `Retry-After` header, else the body's `retry_after`, else
 * what `detail` says ("resets in ~30s", "Expected available in 1 second"). Undefined when
 * nothing says, so the engine's own backoff applies.
 */
export function retryAfterSeconds(error: unknown, problem = problemOf(error)): number | undefined {
	const fromHeader = providerRetryAfterSeconds(error);
	if (fromHeader !== undefined) return fromHeader;
	const body = problem?.retry_after;
	const fromBody = typeof body === 'number' ? body : typeof body === 'string' && /^\d+(\.\d+)?$/.test(body.trim()) ? Number(body) : undefined;
	if (fromBody !== undefined && Number.isFinite(fromBody) && fromBody >= 0) return Math.min(Math.ceil(fromBody), MAX_RETRY_AFTER_SECONDS);
	const detail = typeof problem?.detail === 'string' ? problem.detail : '';
	const said = /~\s*(\d+(?:\.\d+)?)\s*s\b/i.exec(detail) ?? /\bin\s+(\d+(?:\.\d+)?)\s*sec(?:ond)?s?\b/i.exec(detail);
	return said ? Math.min(Math.ceil(Number(said[1])), MAX_RETRY_AFTER_SECONDS) : undefined;
}

/** What was being asked when the error came, which decides what a 404 means. */
export type ReplicateCall = 'create' | 'poll' | 'lookup' | 'upload' | 'other';

/**
 * Whatever the replicate client threw, as a PlatformError. `ref` names the model for the
 * messages; `call` says whether a 404 means the model is gone (creating a prediction or
 * looking the model up) or something else (a poll for a prediction Replicate forgot).
 */
export function replicateErrorFrom(error: unknown, options: { ref: string; call: ReplicateCall; requestId?: string }): unknown {
	if (error instanceof PlatformError) return error;
	const status = providerHttpStatus(error);
	const { ref, call, requestId } = options;
	const base = { status, requestId, cause: error };
	if (status === 429) {
		const seconds = retryAfterSeconds(error);
		return new PlatformError("Replicate is rate-limiting the owner's key (429).", {
			...base,
			kind: 'rate_limited',
			retryAfterMs: seconds === undefined ? undefined : seconds * 1000
		});
	}
	if (status === 402) {
		return new PlatformError(
			"The network owner's Replicate account has no credit, or billing is not set up for it (402). The owner can add credit at replicate.com/account/billing; runs on Replicate stop until then.",
			{ ...base, kind: 'no_credit' }
		);
	}
	if (status === 404 && (call === 'create' || call === 'lookup')) {
		return new PlatformError(`Replicate no longer serves ${ref}.`, { ...base, kind: 'model_gone' });
	}
	if (status === 422 && call === 'create' && isInvalidVersion(problemOf(error))) {
		return new PlatformError(`Replicate no longer serves ${ref} (the version PANIC runs is gone).`, { ...base, kind: 'model_gone' });
	}
	if (status === 413 && call === 'upload') {
		return new PlatformError(`The input for ${ref} is too large for Replicate's files API (at most 100 MB).`, { ...base, kind: 'invalid_input' });
	}
	return platformErrorFrom('replicate', error, requestId);
}

/** Replicate's answer to a prediction on a version that does not exist (or is not yours). */
function isInvalidVersion(problem: ReplicateProblem | undefined): boolean {
	const words = `${problem?.title ?? ''} ${problem?.detail ?? ''}`;
	return /invalid version|version does not exist/i.test(words);
}
