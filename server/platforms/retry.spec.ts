import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlatformError } from './platform';
import { DEFAULT_RETRY_POLICY, InvocationTimeoutError, isRetryable, retryDelayMs, shouldRetry, sleep, withTimeout } from './retry';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 5000 };

describe('retry policy', () => {
	it('retries timeouts and retryable platform errors, never plain errors or aborts', () => {
		expect(isRetryable(new InvocationTimeoutError(10))).toBe(true);
		expect(isRetryable(new PlatformError('busy', { retryable: true }))).toBe(true);
		expect(isRetryable(new PlatformError('bad input'))).toBe(false);
		expect(isRetryable(new Error('boom'))).toBe(false);
		expect(isRetryable(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(false);
		expect(isRetryable(null)).toBe(false);
	});

	it('stops at maxAttempts', () => {
		const e = new PlatformError('busy', { retryable: true });
		expect(shouldRetry(1, policy, e)).toBe(true);
		expect(shouldRetry(3, policy, e)).toBe(true);
		expect(shouldRetry(4, policy, e)).toBe(false);
		expect(shouldRetry(1, policy, new Error('no'))).toBe(false);
	});

	it('backs off exponentially with full jitter, capped', () => {
		expect(retryDelayMs(1, policy, undefined, () => 0.999)).toBe(99);
		expect(retryDelayMs(2, policy, undefined, () => 0.999)).toBe(199);
		expect(retryDelayMs(3, policy, undefined, () => 0.999)).toBe(399);
		expect(retryDelayMs(10, policy, undefined, () => 0.999)).toBe(999);
		expect(retryDelayMs(50, policy, undefined, () => 0.5)).toBe(500);
		expect(retryDelayMs(1, policy, undefined, () => 0)).toBe(0);
	});

	it('honours retryAfterMs, capped at maxDelayMs', () => {
		expect(retryDelayMs(1, policy, new PlatformError('429', { retryable: true, retryAfterMs: 750 }))).toBe(750);
		expect(retryDelayMs(1, policy, new PlatformError('429', { retryable: true, retryAfterMs: 60_000 }))).toBe(1000);
		expect(retryDelayMs(1, policy, { retryAfterMs: -5 }, () => 0.5)).toBe(50);
	});

	it('has sane defaults', () => {
		expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
	});
});

describe('timeouts and sleeps leave no timers', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('aborts a slow call with InvocationTimeoutError', async () => {
		const call = withTimeout(new AbortController().signal, 1000, (signal) =>
			new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
		const caught = call.catch((e) => e);
		await vi.advanceTimersByTimeAsync(1000);
		expect(await caught).toBeInstanceOf(InvocationTimeoutError);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('clears the timer when the call settles first, and passes through the caller abort', async () => {
		expect(await withTimeout(new AbortController().signal, 1000, async () => 5)).toBe(5);
		expect(vi.getTimerCount()).toBe(0);
		const caller = new AbortController();
		const call = withTimeout(caller.signal, 1000, (signal) =>
			new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('caller aborted')))));
		caller.abort();
		await expect(call).rejects.toThrow('caller aborted');
		expect(vi.getTimerCount()).toBe(0);
	});

	it('sleep rejects on abort and clears its timer', async () => {
		const controller = new AbortController();
		const slept = sleep(5000, controller.signal).catch((e) => e);
		expect(vi.getTimerCount()).toBe(1);
		controller.abort(new Error('stop'));
		expect(((await slept) as Error).message).toBe('stop');
		expect(vi.getTimerCount()).toBe(0);
	});
});
