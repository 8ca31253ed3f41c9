/**
 * One contract every hosted platform keeps, run against each provider's fake server
 * (like tldraw's one storage suite over several storages). A provider's own test file
 * calls `describePlatformContract` with a harness, then adds what only it has (Replicate
 * polling, OpenAI images, Hugging Face tasks, costs).
 *
 * What the engine relies on, and this suite holds each adapter to:
 * - the request carries `Authorization: Bearer <key>`;
 * - a refused key is a PlatformError of kind `auth` that stops the run, and its message
 *   names the platform but never contains the key;
 * - a 429 is `rate_limited`, retryable, with `retryAfterMs` from `Retry-After`, and the
 *   provider saw exactly one request (no retries hidden inside a client library: the
 *   engine owns retrying, so it can honour pacing, budgets and stop);
 * - a 500 is `unavailable` and retryable, again after one request;
 * - a malformed answer is `invalid_output` and not retried;
 * - a safety refusal is `safety`;
 * - aborting the signal rejects promptly with the abort, not a PlatformError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError, type Platform } from '../../server/platforms/platform';
import type { ModelInfo, Payload } from '../../server/shared/platforms/types';
import type { FakeHttpServer } from '../fakes/http';

export interface PlatformHarness {
	/** The adapter, pointed at `fake` through its base-URL config. */
	platform: Platform;
	fake: FakeHttpServer;
	/** A key the fake accepts. */
	key: string;
	/** A catalogued model and an input for it; its call must be a single request to `route`. */
	model: ModelInfo;
	input: Payload;
	/** The fake's route pattern the call is made on, e.g. `'POST /v1/chat/completions'`. */
	route: string;
	/** Makes the next call on `route` come back as that provider's safety refusal. */
	refuseNext(): void;
	/** Makes the next call on `route` answer 200 with a body the adapter cannot use. */
	malformNext(): void;
	close(): Promise<void>;
}

const WRONG_KEY = 'wrong-key-0123456789abcdef-zzzz';

async function failure(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected the call to fail, but it succeeded');
}

export function describePlatformContract(name: string, setup: () => Promise<PlatformHarness>) {
	describe(`${name}: platform contract`, () => {
		let h: PlatformHarness;
		const call = (key = h.key, signal = new AbortController().signal) =>
			h.platform.invoke(h.model, h.input, { signal, key, params: {} });
		const callsOnRoute = () => {
			const [method, path] = h.route.split(' ');
			const pattern = new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`);
			return h.fake.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
		};

		beforeAll(async () => {
			h = await setup();
		});
		afterAll(async () => {
			await h?.close();
		});

		it('returns an output of the model’s modality and sends the owner’s key as a bearer token', async () => {
			const before = h.fake.requests.length;
			const result = await call();
			expect(result.output.kind).toBe(h.model.output);
			if (result.output.kind === 'text') expect(result.output.text.length).toBeGreaterThan(0);
			else expect(result.output.bytes.byteLength).toBeGreaterThan(0);
			const sent = h.fake.requests.slice(before);
			expect(sent.length).toBeGreaterThan(0);
			for (const request of sent.filter((r) => r.headers.authorization)) {
				expect(request.headers.authorization).toBe(`Bearer ${h.key}`);
			}
		});

		it('reports a refused key as an auth failure that stops the run, without the key in the message', async () => {
			const error = await failure(call(WRONG_KEY));
			expect(error).toBeInstanceOf(PlatformError);
			const e = error as PlatformError;
			expect(e.kind).toBe('auth');
			expect(e.stopsRun).toBe(true);
			expect(e.retryable).toBe(false);
			expect(e.message).toMatch(/key was refused/);
			expect(e.message).not.toContain(WRONG_KEY.slice(-8));
		});

		it('reports a 429 as retryable after Retry-After, with one request sent', async () => {
			const before = callsOnRoute();
			h.fake.failNext(429, { route: h.route, headers: { 'retry-after': '2' } });
			const e = (await failure(call())) as PlatformError;
			expect(e).toBeInstanceOf(PlatformError);
			expect(e.kind).toBe('rate_limited');
			expect(e.retryable).toBe(true);
			expect(e.retryAfterMs).toBe(2000);
			expect(callsOnRoute() - before).toBe(1);
		});

		it('reports a 500 as retryable, with one request sent', async () => {
			const before = callsOnRoute();
			h.fake.failNext(500, { route: h.route });
			const e = (await failure(call())) as PlatformError;
			expect(e).toBeInstanceOf(PlatformError);
			expect(e.kind).toBe('unavailable');
			expect(e.retryable).toBe(true);
			expect(callsOnRoute() - before).toBe(1);
		});

		it('reports a malformed answer as invalid output, not retried', async () => {
			h.malformNext();
			const e = (await failure(call())) as PlatformError;
			expect(e).toBeInstanceOf(PlatformError);
			expect(e.kind).toBe('invalid_output');
			expect(e.retryable).toBe(false);
		});

		it('reports a safety refusal as such', async () => {
			h.refuseNext();
			const e = (await failure(call())) as PlatformError;
			expect(e).toBeInstanceOf(PlatformError);
			expect(e.kind).toBe('safety');
		});

		it('rejects promptly with the abort when the signal aborts mid-call', async () => {
			h.fake.delayNext(5_000, { route: h.route });
			const controller = new AbortController();
			const started = Date.now();
			const pending = failure(call(h.key, controller.signal));
			setTimeout(() => controller.abort(new Error('run stopped')), 200);
			const error = await pending;
			expect(error).not.toBeInstanceOf(PlatformError);
			expect(Date.now() - started).toBeLessThan(2_000);
		});
	});
}
