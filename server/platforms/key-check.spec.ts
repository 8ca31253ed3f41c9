/**
 * Key check against fake provider servers, through the official clients over
 * real HTTP on 127.0.0.1. Nothing here can reach a real provider: every client
 * gets a base URL pointing at a fake.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostedPlatformId } from '../shared/platforms/types';
import { checkProviderKey, DEFAULT_KEY_CHECK_TIMEOUT_MS, type KeyCheckResult } from './key-check';
import {
	createHfInferenceClient,
	createOpenAIClient,
	createReplicateClient,
	type ProviderConfig
} from './clients';
import type { FakeHttpServer } from '../../tests/fakes/http';
import { startFakeReplicate } from '../../tests/fakes/fake-replicate';
import { startFakeOpenAI } from '../../tests/fakes/fake-openai';
import { startFakeHuggingFace, type FakeHuggingFace } from '../../tests/fakes/fake-huggingface';

type Fake = FakeHttpServer & { baseUrl: string };

interface Contract {
	platform: HostedPlatformId;
	name: string;
	/** The documented route the check must call. */
	path: string;
	goodKey: string;
	badKey: string;
	/** Account name the check should report for the good key. */
	account: string | undefined;
	/** Whether the library's error exposes response headers (for Retry-After). */
	exposesRetryAfter: boolean;
	start(keys: string[]): Promise<Fake>;
	config(baseUrl: string): ProviderConfig;
}

const contracts: Contract[] = [
	{
		platform: 'replicate',
		name: 'Replicate',
		path: '/v1/account',
		goodKey: 'r8_GoodKey0123456789abcdefghijklmnopqrs',
		badKey: 'r8_BadKey9876543210zyxwvutsrqponmlkjihg',
		account: 'panic-tester',
		exposesRetryAfter: true,
		start: (keys) => startFakeReplicate({ keys }),
		config: (baseUrl) => ({ replicateBaseUrl: baseUrl })
	},
	{
		platform: 'openai',
		name: 'OpenAI',
		path: '/v1/models',
		goodKey: 'sk-proj-GoodKey0123456789abcdefghijklmnopqrstuvwxyz',
		badKey: 'sk-proj-BadKey9876543210zyxwvutsrqponmlkjihgfedcba',
		account: undefined,
		exposesRetryAfter: true,
		start: (keys) => startFakeOpenAI({ keys }),
		config: (baseUrl) => ({ openaiBaseUrl: baseUrl })
	},
	{
		platform: 'huggingface',
		name: 'Hugging Face',
		path: '/api/whoami-v2',
		goodKey: 'hf_GoodKey0123456789abcdefghijklmnopq',
		badKey: 'hf_BadKey9876543210zyxwvutsrqponmlkj',
		account: 'panic-tester',
		exposesRetryAfter: false, // @huggingface/hub's HubApiError keeps no headers
		start: (keys) => startFakeHuggingFace({ keys }),
		config: (baseUrl) => ({ hfBaseUrl: baseUrl })
	}
];

/** Narrows a result to the failure branch, failing the test otherwise. */
function failure(result: KeyCheckResult) {
	if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
	return result;
}

describe.each(contracts)('checkProviderKey: $name', (c) => {
	let fake: Fake;
	let config: ProviderConfig;

	beforeEach(async () => {
		fake = await c.start([c.goodKey]);
		config = c.config(fake.baseUrl);
	});
	afterEach(async () => {
		await fake.close();
	});

	/** Asserts the fake saw exactly one GET on the documented route with this key. */
	function expectOneAuthenticatedCall(key: string) {
		expect(fake.requests).toHaveLength(1);
		const [req] = fake.requests;
		expect(req.method).toBe('GET');
		expect(req.path).toBe(c.path);
		expect(req.headers.authorization).toBe(`Bearer ${key}`);
	}

	it('accepts a valid key with one authenticated call on the documented route', async () => {
		const result = await checkProviderKey(c.platform, c.goodKey, config);
		expect(result).toEqual(c.account ? { ok: true, account: c.account } : { ok: true });
		expectOneAuthenticatedCall(c.goodKey);
	});

	it('refuses a wrong key with a clear message that never contains the key', async () => {
		const result = failure(await checkProviderKey(c.platform, c.badKey, config));
		expect(result.reason).toBe('refused');
		expect(result.status).toBe(401);
		expect(result.message).toBe(`The ${c.name} key was refused (401). Check that you pasted the whole key.`);
		expect(JSON.stringify(result)).not.toContain(c.badKey);
		expectOneAuthenticatedCall(c.badKey);
	});

	it('refuses on 403 with a hint about the key being inactive', async () => {
		fake.failNext(403);
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config));
		expect(result).toMatchObject({ reason: 'refused', status: 403 });
		expect(result.message).toContain(`The ${c.name} key was refused (403)`);
		expect(result.message).toContain('still active');
	});

	it('reports 429 as rate_limited after a single request (no client retries)', async () => {
		fake.failNext(429, { route: `GET ${c.path}`, headers: { 'retry-after': '7' } });
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config));
		expect(result.reason).toBe('rate_limited');
		expect(result.status).toBe(429);
		expect(result.message).toContain(`${c.name} is rate-limiting this key`);
		if (c.exposesRetryAfter) {
			expect(result.retryAfterSeconds).toBe(7);
			expect(result.message).toContain('Wait 7 seconds');
		} else {
			expect(result.message).toContain('Wait a minute');
		}
		expectOneAuthenticatedCall(c.goodKey);
	});

	it.each([500, 503])('reports %i as unavailable after a single request', async (status) => {
		fake.failNext(status);
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config));
		expect(result).toMatchObject({ reason: 'unavailable', status });
		expect(result.message).toContain(`${c.name} had a problem on its side (${status})`);
		expect(result.message).toContain('Try again in a few minutes');
		expectOneAuthenticatedCall(c.goodKey);
	});

	it('reports an unexpected status (wrong base URL, say) as unavailable', async () => {
		fake.failNext(404);
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config));
		expect(result).toMatchObject({ reason: 'unavailable', status: 404 });
		expect(result.message).toContain('unexpected status (404)');
	});

	it('times out on a slow provider within the bound, and reports timeout', async () => {
		fake.delayNext(5_000);
		const started = Date.now();
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config, { timeoutMs: 200 }));
		const elapsed = Date.now() - started;
		expect(result.reason).toBe('timeout');
		expect(result.message).toBe(`${c.name} did not answer within 0.2 seconds. Try again in a minute.`);
		expect(elapsed).toBeGreaterThanOrEqual(190);
		expect(elapsed).toBeLessThan(1_500);
		expect(fake.requests).toHaveLength(1);
	});

	it('still succeeds when the provider is slow but inside the timeout', async () => {
		fake.delayNext(150);
		const result = await checkProviderKey(c.platform, c.goodKey, config, { timeoutMs: 3_000 });
		expect(result.ok).toBe(true);
	});

	it('reports an unreachable provider as unavailable', async () => {
		await fake.close(); // nothing listens on that port any more
		const result = failure(await checkProviderKey(c.platform, c.goodKey, config, { timeoutMs: 3_000 }));
		expect(result.reason).toBe('unavailable');
		expect(result.status).toBeUndefined();
		expect(result.message).toContain(`${c.name} could not be reached`);
	});

	it("rejects with the caller's abort reason when the caller aborts", async () => {
		fake.delayNext(5_000);
		const controller = new AbortController();
		setTimeout(() => controller.abort(new Error('user left the page')), 50);
		const started = Date.now();
		await expect(
			checkProviderKey(c.platform, c.goodKey, config, { signal: controller.signal, timeoutMs: 3_000 })
		).rejects.toThrow('user left the page');
		expect(Date.now() - started).toBeLessThan(1_000);
	});

	it.each([
		['empty', ''],
		['blank', '   '],
		['with a line break', 'hf_abc\n'],
		['with an inner space', 'hf_abc def']
	])('refuses a key %s without sending it anywhere', async (_label, key) => {
		const result = failure(await checkProviderKey(c.platform, key, config));
		expect(result.reason).toBe('refused');
		expect(result.message).toContain(c.name);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('checkProviderKey: platform specifics', () => {
	let hf: FakeHuggingFace;
	beforeEach(async () => {
		hf = await startFakeHuggingFace({ keys: ['hf_good'] });
	});
	afterEach(async () => {
		await hf.close();
	});

	it('refuses a Hugging Face token without the hf_ prefix before any request', async () => {
		const result = failure(await checkProviderKey('huggingface', 'api_org_123', { hfBaseUrl: hf.url }));
		expect(result.reason).toBe('refused');
		expect(result.message).toContain('start with "hf_"');
		expect(hf.requests).toHaveLength(0);
	});

	it('defaults to a 10 second timeout', () => {
		expect(DEFAULT_KEY_CHECK_TIMEOUT_MS).toBe(10_000);
	});
});

describe('client factories', () => {
	afterEach(() => {
		vi.unstubAllEnvs();
	});

	it('do not fall back to server env credentials when given no key', () => {
		vi.stubEnv('REPLICATE_API_TOKEN', 'r8_server_token');
		vi.stubEnv('OPENAI_API_KEY', 'sk-server-key');
		expect(() => createReplicateClient('', {})).toThrow(/key is required/);
		expect(() => createOpenAIClient('', {})).toThrow(/key is required/);
		expect(() => createHfInferenceClient('', {})).toThrow(/key is required/);
	});

	it("keep the server's OpenAI org and project out of a user's requests", async () => {
		vi.stubEnv('OPENAI_ORG_ID', 'org-server');
		vi.stubEnv('OPENAI_PROJECT_ID', 'proj_server');
		const fake = await startFakeOpenAI({ keys: ['sk-user'] });
		try {
			const client = createOpenAIClient('sk-user', { openaiBaseUrl: fake.baseUrl }, { maxRetries: 0 });
			await client.models.list();
			expect(fake.requests[0].headers['openai-organization']).toBeUndefined();
			expect(fake.requests[0].headers['openai-project']).toBeUndefined();
		} finally {
			await fake.close();
		}
	});

	it('point the Hugging Face inference client at hfBaseUrl for Hub and router calls', async () => {
		const fake = await startFakeHuggingFace({ keys: ['hf_user'] });
		try {
			const client = createHfInferenceClient('hf_user', { hfBaseUrl: fake.url }, { retry_on_error: false });
			// 1. A model id: the library first asks the Hub for the model's provider mapping
			//    (Salesforce/blip-image-captioning-large is mapped nowhere any more, so no POST follows).
			await expect(
				client.imageToText({ model: 'Salesforce/blip-image-captioning-large', provider: 'hf-inference', data: new Blob([new Uint8Array([1])]) })
			).rejects.toThrow(/inference provider information/);
			// 2. A router endpoint URL (as the library builds them) goes to <hfBaseUrl>/router/...
			const routed = createHfInferenceClient('hf_user', { hfBaseUrl: fake.url }, {
				retry_on_error: false,
				endpointUrl: 'https://router.huggingface.co/hf-inference/models/black-forest-labs/FLUX.1-schnell'
			});
			await expect(routed.textToImage({ inputs: 'a loop' })).resolves.toBeInstanceOf(Blob);

			expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
				'GET /api/models/Salesforce/blip-image-captioning-large',
				'POST /router/hf-inference/models/black-forest-labs/FLUX.1-schnell'
			]);
			for (const req of fake.requests) expect(req.headers.authorization).toBe('Bearer hf_user');
		} finally {
			await fake.close();
		}
	});

});
