/**
 * An OpenAI account out of credit, end to end: the production server runs a GPT-6 Luna loop
 * against the fake OpenAI (OPENAI_BASE_URL) while the fake answers every call with OpenAI's
 * 429 `insufficient_quota`. Unlike a rate limit, waiting cannot help, so the run must stop at
 * the first call (even with errors set to be skipped) and say, in PANIC's words, that the
 * owner's OpenAI account has no credit (issue 12, "Done when").
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NO_CREDIT_MESSAGE } from '../server/platforms/openai/errors';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/fake-openai';
import { loopGraph } from './helpers/graphs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';

const OPENAI_KEY = 'sk-owner-key-0123456789abcdefghij';
const LUNA = 'openai/gpt-6-luna';
const CHAT = '/v1/chat/completions';

interface RunBody {
	status: string;
	stopCause: string | null;
	error: string | null;
	invocations: Array<{ state: string; error: string | null; attempts: number; modelId: string }>;
}

describe('an OpenAI account without credit', () => {
	let openai: FakeOpenAI;
	let server: TestServer;
	let owner: ApiClient;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ keys: [OPENAI_KEY] });
		server = await startServer({ env: { OPENAI_BASE_URL: openai.baseUrl } });
		owner = new ApiClient(server.url);
		expect((await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'feedback loops' })).status).toBe(201);
		expect((await owner.json('PUT', '/api/me/keys/openai', { key: OPENAI_KEY })).status).toBe(200);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
		await openai?.close();
	});

	async function runLoop(settings: Record<string, unknown>): Promise<RunBody> {
		const created = await owner.json('POST', '/api/networks', { name: 'luna loop' });
		const id = created.body.id as string;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph(LUNA, LUNA))).status).toBe(200);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { settings })).status).toBe(200);
		const started = await owner.json('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text: 'a lighthouse in fog' } });
		expect(started.status, JSON.stringify(started.body)).toBe(201);
		const runId = started.body.runId as string;
		return until(`run ${runId} to end`, async () => {
			const body = (await owner.json<RunBody>('GET', `/api/runs/${runId}`)).body;
			return body.status !== 'running' && body;
		});
	}

	test('runs while there is credit, then stops at the first call with the credit message, not retried', async () => {
		const fine = await runLoop({ pacing: { fixedMs: 0 }, budgets: { maxInvocations: 2 } });
		expect(fine.invocations.filter((i) => i.state === 'completed').length).toBeGreaterThanOrEqual(1);

		openai.quotaExhausted = true;
		const before = openai.requestsTo(CHAT).length;
		const body = await runLoop({ pacing: { fixedMs: 0 }, onError: 'continue' });
		expect(body).toMatchObject({ status: 'failed', stopCause: 'error', error: NO_CREDIT_MESSAGE });
		expect(body.error).toMatch(/OpenAI account has no credit/);
		expect(body.error).not.toMatch(/quota/);
		expect(body.invocations.map((i) => [i.modelId, i.state, i.attempts, i.error])).toEqual([[LUNA, 'failed', 1, NO_CREDIT_MESSAGE]]);
		expect(openai.requestsTo(CHAT).length - before).toBe(1);
	});
});
