import type { LocalModel } from '../local/model';
import { abortError, expectText, textPayload, throwIfAborted } from '../local/payload';
import { dummyInfo } from './info';

export const echo: LocalModel = {
	info: dummyInfo('echo', 'text', 'text', 'Returns its input text unchanged (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/echo');
		return textPayload(expectText(input, 'dummy/echo'));
	}
};

export const upper: LocalModel = {
	info: dummyInfo('upper', 'text', 'text', 'Returns its input text in upper case (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/upper');
		return textPayload(expectText(input, 'dummy/upper').toUpperCase());
	}
};

export const fail: LocalModel = {
	info: dummyInfo('fail', 'text', 'text', 'Always fails with an error (for testing failure handling).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/fail');
		expectText(input, 'dummy/fail');
		throw new Error('dummy/fail always fails');
	}
};

/** Waits `ms` milliseconds, rejecting with an AbortError as soon as the signal fires. */
function delay(ms: number, signal: AbortSignal | undefined, modelId: string): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortError(modelId));
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError(modelId));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export const slow: LocalModel = {
	info: dummyInfo('slow', 'text', 'text', 'Echoes its input after `ms` milliseconds, or rejects when aborted (for testing timeouts and cancellation).', { ms: 1000 }, [
		// Up to ten minutes: long enough for any timeout or cancellation test, short of a stuck run.
		{ key: 'ms', label: 'Delay (ms)', help: 'How long each call waits before it answers.', kind: 'number', min: 0, max: 600_000, step: 1, integer: true, default: 1000 }
	]),
	async run(input, params, signal) {
		throwIfAborted(signal, 'dummy/slow');
		const text = expectText(input, 'dummy/slow');
		const ms = typeof params.ms === 'number' && Number.isFinite(params.ms) ? Math.max(0, params.ms) : 1000;
		await delay(ms, signal, 'dummy/slow');
		return textPayload(text);
	}
};
