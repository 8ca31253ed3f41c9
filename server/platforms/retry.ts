/**
 * Retrying a model call: which failures are worth another attempt, how long to wait, and a
 * per-attempt timeout. Pure where it can be, so the policy is tested without a clock.
 */
export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Each attempt is aborted after this long. */
	timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 120_000 };

export class InvocationTimeoutError extends Error {
	constructor(ms: number) {
		super(`The model did not answer within ${Math.round(ms / 1000)} s.`);
		this.name = 'InvocationTimeoutError';
	}
}

/** Timeouts and errors that say so (PlatformError.retryable) are retried; aborts never are. */
export function isRetryable(error: unknown): boolean {
	if (error instanceof InvocationTimeoutError) return true;
	return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1): the error's
 * `retryAfterMs` when it gives one (capped), otherwise capped exponential backoff with full
 * jitter. `random` is injectable for tests.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, error?: unknown, random: () => number = Math.random): number {
	const retryAfter = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
	if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
		return Math.min(retryAfter, policy.maxDelayMs);
	}
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	return Math.floor(random() * ceiling);
}

/** Whether another attempt should follow a failed attempt number `attempt`. */
export function shouldRetry(attempt: number, policy: RetryPolicy, error: unknown): boolean {
	return attempt < policy.maxAttempts && isRetryable(error);
}

/**
 * Runs `fn` with a signal that aborts when `signal` does or after `timeoutMs`. The timer and
 * the listener on `signal` are removed when `fn` settles, so nothing outlives the call.
 * (Not AbortSignal.any: on Node 20 every combined signal stays registered on a long-lived
 * parent, so a run's signal slows down with each of its thousands of invocations.)
 */
export async function withTimeout<T>(signal: AbortSignal, timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const combined = new AbortController();
	let timedOut = false;
	const onAbort = () => combined.abort(signal.reason);
	if (signal.aborted) onAbort();
	else signal.addEventListener('abort', onAbort, { once: true });
	const timer = setTimeout(() => {
		timedOut = true;
		combined.abort(new InvocationTimeoutError(timeoutMs));
	}, timeoutMs);
	try {
		return await fn(combined.signal);
	} catch (error) {
		// Models reject with their own AbortError; report the timeout as what it was.
		if (timedOut && !signal.aborted) throw combined.signal.reason;
		throw error;
	} finally {
		clearTimeout(timer);
		signal.removeEventListener('abort', onAbort);
	}
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts; leaves no timer. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(signal.reason);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal.reason);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
