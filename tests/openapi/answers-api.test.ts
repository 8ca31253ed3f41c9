import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { findOperation, API_OPERATIONS } from '../../server/http/openapi/registry';
import { errorShape } from '../../server/http/openapi/shapes';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';

/**
 * Answers match the description: a walk through the API on a real server (accounts, keys,
 * networks, graph, versions, installations, runs with dummy models, exports and imports, join
 * codes, the audience and its prompts, errors), every answer checked against the operation's
 * described schema for its status, with the very zod schema the document is generated from.
 * An answer in a shape the document does not describe, or a route it does not describe, fails.
 */

interface Checked {
	status: number;
	body: any;
	res: Response;
}

describe('API answers match /api/openapi.json', () => {
	let server: TestServer;
	const problems: string[] = [];
	const reached = new Set<string>();

	/** Calls the API like ApiClient.json, then checks the answer against its operation. */
	async function call(client: ApiClient, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Checked> {
		const res = await client.request(method, path, body, headers);
		const pathname = new URL(path, server.url).pathname;
		const type = res.headers.get('content-type') ?? '';
		const streamed = type.startsWith('text/event-stream');
		// Streams never end by themselves: the headers are the answer; then hang up.
		const text = streamed ? (await res.body?.cancel(), '') : await res.text();
		const parsed = type.includes('application/json') && text ? JSON.parse(text) : text;
		const where = `${method} ${path} → ${res.status}`;
		const op = findOperation(method, pathname);
		if (!op) {
			// The document's info says so: an unclaimed path is a JSON 404, an unlisted method a JSON 405.
			const unrouted = (res.status === 404 || res.status === 405) && errorShape.safeParse(parsed).success;
			if (!unrouted) problems.push(`${where}: no operation describes this route`);
			return { status: res.status, body: parsed, res };
		}
		reached.add(`${op.method} ${op.path}`);
		const answer = op.responses[res.status];
		let schema: z.ZodType | undefined;
		if (answer && 'json' in answer) schema = answer.json;
		else if (answer) {
			if (!type.startsWith(answer.media)) problems.push(`${where}: answered ${type}, described ${answer.media}`);
		} else if (res.status >= 400) schema = errorShape;
		else problems.push(`${where}: status ${res.status} is not described`);
		if (schema) {
			if (!type.includes('application/json')) problems.push(`${where}: answered ${type}, described JSON`);
			const result = schema.safeParse(parsed);
			if (!result.success) problems.push(`${where}: ${JSON.stringify(result.error.issues.slice(0, 3))} in ${text.slice(0, 400)}`);
		}
		return { status: res.status, body: parsed, res };
	}

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_HISTORY_SETTLE_MS: '100' } });
	});
	afterAll(async () => {
		// Shape problems found before a failed step are worth seeing too.
		if (problems.length) console.error(problems.join('\n'));
		await server?.dispose();
	});

	test('a representative walk answers only in described shapes', async () => {
		const ada = new ApiClient(server.url);
		const bob = new ApiClient(server.url);
		const phone = new ApiClient(server.url);
		const anon = new ApiClient(server.url);

		// Site and the description itself.
		expect((await call(anon, 'GET', '/api/health')).status).toBe(200);
		const described = await call(anon, 'GET', '/api/openapi.json');
		expect(described.status).toBe(200);
		expect(described.res.headers.get('cache-control')).toMatch(/public/);
		expect(described.res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
		const again = await anon.request('GET', '/api/openapi.json', undefined, { 'if-none-match': described.res.headers.get('etag')! });
		expect(again.status).toBe(304);
		expect((await call(anon, 'GET', '/api/models')).status).toBe(200);
		expect((await call(anon, 'GET', '/api/models?input=text&platform=dummy')).status).toBe(200);

		// Accounts.
		expect((await call(ada, 'POST', '/api/auth/signup', { email: 'ada@example.org', password: 'ada password!' })).status).toBe(201);
		expect((await call(bob, 'POST', '/api/auth/signup', { email: 'bob@example.org', password: 'bob password!' })).status).toBe(201);
		expect((await call(ada, 'GET', '/api/me')).status).toBe(200);
		expect((await call(ada, 'PATCH', '/api/me', { displayName: 'Ada' })).status).toBe(200);
		expect((await call(bob, 'POST', '/api/auth/logout')).status).toBe(200);
		expect((await call(bob, 'POST', '/api/auth/login', { email: 'bob@example.org', password: 'wrong' })).status).toBe(400);
		expect((await call(bob, 'POST', '/api/auth/login', { email: 'bob@example.org', password: 'bob password!' })).status).toBe(200);
		expect((await call(anon, 'GET', '/api/me')).status).toBe(401);
		expect((await call(ada, 'GET', '/api/admin/settings')).status).toBe(200);
		expect((await call(ada, 'PATCH', '/api/admin/settings', { signupOpen: true })).status).toBe(200);
		expect((await call(bob, 'PATCH', '/api/admin/settings', { signupOpen: false })).status).toBe(403);

		// Keys, models, availability (providers are a closed port here).
		expect((await call(ada, 'PUT', '/api/me/keys/openai', { key: 'sk-test-1234567890abcdef' })).status).toBe(200);
		expect((await call(ada, 'GET', '/api/me/keys')).status).toBe(200);
		expect((await call(ada, 'POST', '/api/me/keys/openai/check')).status).toBe(200);
		expect((await call(ada, 'PUT', '/api/me/keys/nowhere', { key: 'x' })).status).toBe(400);
		expect((await call(ada, 'DELETE', '/api/me/keys/openai')).status).toBe(200);
		expect((await call(ada, 'GET', '/api/me/availability')).status).toBe(200);
		await call(ada, 'POST', '/api/me/availability/check', {});
		expect((await call(ada, 'GET', '/api/me/models')).status).toBe(200);
		expect((await call(ada, 'POST', '/api/me/models/preview', { ref: 'owner/model' })).status).toBe(400);
		expect((await call(ada, 'POST', '/api/me/models', { ref: 'owner/model' })).status).toBeGreaterThanOrEqual(400);
		expect((await call(ada, 'DELETE', '/api/me/models/replicate/owner/model')).status).toBe(404);

		// Networks and their graph.
		const created = await call(ada, 'POST', '/api/networks', { name: 'Contract' });
		expect(created.status).toBe(201);
		const id = created.body.id as string;
		expect((await call(ada, 'GET', '/api/networks')).status).toBe(200);
		expect((await call(ada, 'PATCH', `/api/networks/${id}`, { visibility: 'unlisted', settings: { pacing: { fixedMs: 20 } } })).status).toBe(200);
		expect((await call(ada, 'PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/graph`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/availability`)).status).toBe(200);
		const file = await call(ada, 'GET', `/api/networks/${id}/export`);
		expect(file.status).toBe(200);
		const copy = await call(ada, 'POST', '/api/networks/import', file.body);
		expect(copy.status).toBe(201);
		expect((await call(ada, 'DELETE', `/api/networks/${copy.body.id}`)).status).toBe(200);
		expect((await call(ada, 'PUT', `/api/networks/${id}/graph`, { nodes: 'no' })).status).toBe(400);

		// People: invites, members.
		const invite = await call(ada, 'POST', `/api/networks/${id}/invites`, { role: 'editor' });
		expect(invite.status).toBe(201);
		const token = invite.body.url.split('/').pop();
		expect((await call(bob, 'GET', `/api/invites/${token}`)).status).toBe(200);
		expect((await call(bob, 'POST', `/api/invites/${token}`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/invites`)).status).toBe(200);
		expect((await call(ada, 'DELETE', `/api/networks/${id}/invites/${invite.body.id}`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/members`)).status).toBe(200);

		// Versions.
		const version = await call(ada, 'POST', `/api/networks/${id}/versions`, { name: 'before the show' });
		expect(version.status).toBe(201);
		expect((await call(ada, 'GET', `/api/networks/${id}/versions`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/versions/${version.body.id}`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/networks/${id}/versions/${version.body.id}/restore`)).status).toBe(200);

		// Installations and a kiosk screen.
		const screens = [{ name: 'Wall', kind: 'grid', grid: { rows: 2, cols: 3 } }];
		const inst = await call(ada, 'POST', `/api/networks/${id}/installations`, { name: 'Gallery', screens });
		expect(inst.status).toBe(201);
		expect((await call(ada, 'GET', `/api/networks/${id}/installations`)).status).toBe(200);
		const replaced = await call(ada, 'PUT', `/api/networks/${id}/installations/${inst.body.id}`, { name: 'Gallery 2', screens });
		expect(replaced.status).toBe(200);
		const kiosk = String(replaced.body.screens[0].kioskPath).split('/').pop();
		expect((await call(anon, 'GET', `/api/displays/${kiosk}`)).status).toBe(200);
		expect((await call(anon, 'GET', `/api/networks/${id}/feed?kiosk=${kiosk}`)).status).toBe(200);

		// Runs with the dummy models.
		const run = await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a contract' });
		expect(run.status).toBe(201);
		const runId = run.body.runId as string;
		await until('a few steps', async () => (await ada.json('GET', `/api/runs/${runId}`)).body.invocationCount >= 4);
		expect((await call(ada, 'GET', `/api/runs/${runId}?limit=2`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/runs`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/runs/${runId}/pause`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/runs/${runId}/resume`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/runs/${runId}/events`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/runs/${runId}/stop`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/runs/${runId}/resume`)).status).toBe(409);
		expect((await call(ada, 'GET', `/api/runs/${runId}/analysis`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/atlas`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/atlas?runs=nosuchrun`)).status).toBe(404);
		expect((await call(ada, 'GET', `/api/networks/${id}/runs/export.zip?runs=${runId}`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/runs/${runId}/export.zip`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/runs/${runId}/invocations.csv`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/runs/${runId}/export?format=pdf`)).status).toBe(400);
		const exported = await call(ada, 'GET', `/api/runs/${runId}/export`);
		expect(exported.status).toBe(200);
		const imported = await call(ada, 'POST', '/api/runs/import', exported.body, { 'content-type': 'application/json' });
		expect(imported.status).toBe(201);

		// Experiments: estimate, start, follow, cancel, read (the domain and the stream's end are tested in tests/experiments).
		const plan = { prompts: ['one', 'two'], runs: 1, steps: 1000 };
		expect((await call(ada, 'POST', `/api/networks/${id}/experiments/estimate`, plan)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/networks/${id}/experiments`, { ...plan, prompts: [] })).status).toBe(400);
		const experiment = await call(ada, 'POST', `/api/networks/${id}/experiments`, plan);
		expect(experiment.status).toBe(201);
		expect((await call(ada, 'GET', `/api/experiments/${experiment.body.id}/events`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/experiments/${experiment.body.id}/cancel`)).status).toBe(200);
		// Cancelled at once: its first run may or may not have finished, and both answers are described.
		expect([200, 409]).toContain((await call(ada, 'GET', `/api/experiments/${experiment.body.id}/atlas`)).status);
		expect((await call(ada, 'GET', `/api/experiments/${experiment.body.id}`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/experiments`)).status).toBe(200);

		// Audience: join codes, prompts, moderation, presence, the end of the event.
		expect((await call(ada, 'PATCH', `/api/networks/${id}`, { audience: { queueMode: 'moderated' } })).status).toBe(200);
		expect((await call(ada, 'POST', `/api/networks/${id}/join-codes`)).status).toBe(201);
		const current = await call(ada, 'GET', `/api/networks/${id}/join-codes/current`);
		expect(current.status).toBe(200);
		expect((await call(phone, 'POST', `/api/join/${current.body.code}`)).status).toBe(200);
		expect((await call(anon, 'POST', '/api/join/nosuchcode')).status).toBe(404);
		expect((await call(phone, 'GET', `/api/networks/${id}/feed`)).status).toBe(200);
		const first = await call(phone, 'POST', `/api/networks/${id}/prompts`, { text: 'a red balloon' });
		expect(first.status).toBe(201);
		expect((await call(phone, 'DELETE', `/api/networks/${id}/prompts/${first.body.id}`)).status).toBe(200);
		const second = await call(phone, 'POST', `/api/networks/${id}/prompts`, { text: 'a blue kite' });
		const third = await call(phone, 'POST', `/api/networks/${id}/prompts`, { text: 'a green door' });
		expect([second.status, third.status]).toEqual([201, 201]);
		expect((await call(phone, 'GET', `/api/networks/${id}/prompts`)).status).toBe(200);
		expect((await call(ada, 'GET', `/api/networks/${id}/prompts`)).status).toBe(200);
		expect((await call(ada, 'POST', `/api/networks/${id}/prompts/${second.body.id}/reject`, { reason: 'not tonight' })).status).toBe(200);
		expect((await call(ada, 'POST', `/api/networks/${id}/prompts/${third.body.id}/approve`)).status).toBe(200);
		// A member's prompt, so that clearing the queue has something to drop.
		expect((await call(bob, 'POST', `/api/networks/${id}/prompts`, { text: 'a yellow hat' })).status).toBe(201);
		expect((await call(ada, 'POST', `/api/networks/${id}/prompts/clear`)).status).toBe(200);
		const presence = await call(ada, 'GET', `/api/networks/${id}/audience`);
		expect(presence.status).toBe(200);
		const sessionId = presence.body.sessions[0].id;
		expect((await call(ada, 'POST', `/api/networks/${id}/audience/remove`, { sessionIds: ['nobody'] })).status).toBe(200);
		expect((await call(ada, 'DELETE', `/api/networks/${id}/audience/${sessionId}`)).status).toBe(200);
		expect((await call(phone, 'POST', `/api/networks/${id}/prompts`, { text: 'still here?' })).status).toBeGreaterThanOrEqual(400);
		expect((await call(ada, 'POST', `/api/networks/${id}/end-event`)).status).toBe(200);

		// Errors and the end of it all.
		expect((await call(ada, 'POST', '/api/networks', { name: '' })).status).toBe(400);
		expect((await call(ada, 'POST', '/api/networks', 'not json')).status).toBe(400);
		expect((await call(ada, 'GET', '/api/networks/nosuchnetwork')).status).toBe(404);
		expect((await call(ada, 'PATCH', '/api/health')).status).toBe(405);
		expect((await call(ada, 'GET', '/api/no/such/route')).status).toBe(404);
		const members = (await ada.json('GET', `/api/networks/${id}/members`)).body as { userId: string; role: string }[];
		const editor = members.find((m) => m.role === 'editor')!;
		expect((await call(ada, 'DELETE', `/api/networks/${id}/members/${editor.userId}`)).status).toBe(200);
		expect((await call(ada, 'DELETE', `/api/networks/${id}/installations/${inst.body.id}`)).status).toBe(200);
		expect((await call(ada, 'DELETE', `/api/networks/${id}`)).status).toBe(200);

		expect(problems).toEqual([]);
		// The walk reaches (nearly) every operation: those it leaves out need a provider.
		const unreached = API_OPERATIONS.map((op) => `${op.method} ${op.path}`).filter((op) => !reached.has(op));
		expect(unreached).toEqual([]);
	});

	test('/docs/api lists every operation of the document, server-rendered', async () => {
		const res = await fetch(`${server.url}/docs/api`);
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(html.match(/data-testid="api-operation"/g)?.length).toBe(API_OPERATIONS.length);
		for (const op of API_OPERATIONS) expect(html).toContain(`data-method="${op.method}" data-path="${op.path}"`);
		expect(html).toContain('href="/api/openapi.json"');
	});

	test('an answer with a field the document does not describe fails the check', async () => {
		const ada = new ApiClient(server.url);
		await ada.json('POST', '/api/auth/login', { email: 'ada@example.org', password: 'ada password!' });
		const me = await ada.json('GET', '/api/me');
		const schema = (findOperation('GET', '/api/me')!.responses[200] as { json: z.ZodType }).json;
		expect(schema.safeParse(me.body).success).toBe(true);
		expect(schema.safeParse({ ...me.body, user: { ...me.body.user, password_hash: 'x' } }).success).toBe(false);
		expect(schema.safeParse({ ...me.body, user: { ...me.body.user, created_at: 12 } }).success).toBe(false);
	});

	// Last: it spends this address's allowance for the description.
	test('/api/openapi.json is limited per address like other public endpoints', async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 61; i++) statuses.push((await fetch(`${server.url}/api/openapi.json`, { method: 'HEAD' })).status);
		const limited = await fetch(`${server.url}/api/openapi.json`);
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(errorShape.safeParse(await limited.json()).success).toBe(true);
		expect(statuses.slice(0, 50).every((s) => s === 200)).toBe(true);
	});
});
