/** Waiting in tests: for a condition to hold, polled, with a message that says what timed out. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the first truthy value `fn` returns, polling every 20 ms; rejects with
 * "Timed out waiting for <what>" after `timeoutMs`.
 */
export async function until<T>(
	what: string,
	fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
	timeoutMs = 15_000
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await fn();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await sleep(20);
	}
}
