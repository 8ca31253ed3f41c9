/**
 * Live availability against the three providers' fakes, through the production server
 * (issue 12, "done when"): each fake serves only what its real counterpart serves, and here
 * each stops serving one curated model — OpenAI's model list lacks gpt-6-luna, Replicate
 * answers 404 for flux-schnell, the Hub no longer maps gpt-oss-20b to groq. Saving the key
 * checks; the network's availability (what the palette and the canvas read) marks each model
 * unavailable with the provider's reason, and a run through it is refused before it starts,
 * naming the model, while a run around it starts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeHuggingFace, type FakeHuggingFace } from './fakes/fake-huggingface';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/fake-openai';
import { startFakeReplicate, type FakeReplicate } from './fakes/fake-replicate';
import { loopGraph } from './helpers/graphs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';

const KEYS = {
	openai: 'sk-owner-key-0123456789abcdefghij',
	replicate: 'r8_owner_key_0123456789abcdefghij',
	huggingface: 'hf_owner_key_0123456789abcdefghijklmn'
};
const GONE = {
	openai: { id: 'openai/gpt-6-luna', name: 'GPT-6 Luna', reason: /OpenAI no longer serves gpt-6-luna/ },
	replicate: { id: 'replicate/black-forest-labs/flux-schnell', reason: /Replicate no longer serves black-forest-labs\/flux-schnell/ },
	huggingface: { id: 'huggingface/openai/gpt-oss-20b', reason: /groq.*no longer serves openai\/gpt-oss-20b|openai\/gpt-oss-20b.*groq/ }
} as const;
/** A model of each provider that stays served, to run around the gone one. */
const STILL = { openai: 'openai/gpt-image-2.6-flare', replicate: 'replicate/lucataco/moondream2', huggingface: 'huggingface/black-forest-labs/FLUX.1-schnell' } as const;
type Provider = keyof typeof KEYS;

describe('availability as the providers answer it', () => {
	let openai: FakeOpenAI;
	let replicate: FakeReplicate;
	let hf: FakeHuggingFace;
	let server: TestServer;
	let owner: ApiClient;
	let viewer: ApiClient;

	beforeAll(async () => {
		[openai, replicate, hf] = await Promise.all([
			startFakeOpenAI({ keys: [KEYS.openai] }),
			startFakeReplicate({ keys: [KEYS.replicate] }),
			startFakeHuggingFace({ keys: [KEYS.huggingface] })
		]);
		openai.removeModel('gpt-6-luna');
		replicate.removeModel('black-forest-labs/flux-schnell');
		hf.retire('openai/gpt-oss-20b', 'groq');
		server = await startServer({ env: { OPENAI_BASE_URL: openai.baseUrl, REPLICATE_BASE_URL: replicate.baseUrl, HF_BASE_URL: hf.url } });
		owner = new ApiClient(server.url);
		viewer = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' });
		await viewer.json('POST', '/api/auth/signup', { email: 'viewer@example.org', password: 'viewer password' });
		for (const provider of Object.keys(KEYS) as Provider[]) {
			expect((await owner.json('PUT', `/api/me/keys/${provider}`, { key: KEYS[provider] })).status).toBe(200);
		}
	}, 120_000);
	afterAll(async () => {
		await server?.dispose();
		await Promise.all([openai?.close(), replicate?.close(), hf?.close()]);
	});

	test.each(Object.keys(KEYS) as Provider[])('%s: the gone model is marked with the reason, refused before a run starts; the rest run', async (provider) => {
		const gone = GONE[provider];
		const id = (await owner.json('POST', '/api/networks', { name: `${provider} network` })).body.id as string;
		const { url } = (await owner.json('POST', `/api/networks/${id}/invites`, { role: 'viewer' })).body;
		expect((await viewer.json('POST', `/api/invites/${new URL(url).pathname.split('/').pop()}`)).status).toBe(200);

		// Saving the key started a check in the background; members see its answer on the network.
		const seen = await until(`${provider}'s check`, async () => {
			const { body } = await viewer.json('GET', `/api/networks/${id}/availability`);
			return body.models[gone.id]?.state === 'unavailable' && body;
		}, 20_000);
		expect(seen.models[gone.id].reason).toMatch(gone.reason);
		expect(seen.models[STILL[provider]], JSON.stringify(seen.models)).toMatchObject({ state: 'available' });
		// The network page (its palette and canvas) carries the same answer in its data.
		const page = await (await viewer.request('GET', `/networks/${id}/__data.json`)).text();
		expect(page).toContain(JSON.stringify(seen.models[gone.id].reason));

		// A run whose path reaches it is refused before anything starts, naming it.
		const graph = loopGraph(gone.id, gone.id);
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, graph)).status).toBe(200);
		const refused = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'a lighthouse' } });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toContain(`(${gone.id}) is not available`);
		expect(refused.body.error).toMatch(gone.reason);
		expect(refused.body.details.unavailableModels).toEqual([expect.objectContaining({ id: gone.id })]);
		expect((await owner.json('GET', `/api/networks/${id}/runs`)).body).toEqual([]);
	}, 60_000);

	test('"Check now" after the provider serves the model again clears the mark', async () => {
		// OpenAI lists gpt-6-luna again (a key moved to an organisation that has it, say).
		openai.restoreModel('gpt-6-luna');
		const checked = await owner.json('POST', '/api/me/availability/check', { platform: 'openai' });
		expect(checked.status).toBe(200);
		expect(checked.body.models[GONE.openai.id]).toMatchObject({ state: 'available' });
		const id = (await owner.json('POST', '/api/networks', { name: 'luna again' })).body.id as string;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph(GONE.openai.id, GONE.openai.id))).status).toBe(200);
		await owner.json('PATCH', `/api/networks/${id}`, { settings: { budgets: { maxInvocations: 1 } } });
		expect((await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'a lighthouse' } })).status).toBe(201);
	});
});
