/**
 * Issue 11, finding 9: audience floods. One address joins 80 sessions and sends 3 prompts from
 * each, enough to fill the 200-place queue. A real audience member (at the same venue address)
 * must still get a prompt in, the facilitator must clear the flood in one call, and joins from
 * one address are capped per network without locking out another address. /api/health answers
 * within 200 ms throughout, watched from a second process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { underAttack } from './health-watch';

/** A phone behind `address` (the server reads X-Forwarded-For, as behind a venue's proxy). */
class Phone extends ApiClient {
	constructor(
		base: string,
		readonly address: string
	) {
		super(base);
	}
	request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
		return super.request(method, path, body, { 'x-forwarded-for': this.address, ...headers });
	}
}

const VENUE = '203.0.113.10';
/**
 * The attack as a script runs it: 16 requests in flight at a time (the flood filled the
 * queue in 2.5 s). A burst of hundreds of simultaneous requests measures the HTTP stack, not these
 * limits: 240 trivial 401s at once hold a loaded 2-core machine about as long as this flood does.
 */
const IN_FLIGHT = 16;

async function inFlight<T>(tasks: Array<() => Promise<T>>, at = IN_FLIGHT): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: at }, async () => {
			while (next < tasks.length) {
				const i = next++;
				results[i] = await tasks[i]();
			}
		})
	);
	return results;
}

describe('audience flood', () => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;
	let code: string;

	beforeAll(async () => {
		// Joins from one address scaled down (100 at once, then 60 a minute) to show the cap quickly.
		server = await startServer({
			env: { PANIC_DUMMY_MODELS: '1', ADDRESS_HEADER: 'x-forwarded-for', PANIC_JOIN_BURST_PER_ADDRESS: '100', PANIC_JOINS_PER_ADDRESS_PER_MINUTE: '60' }
		});
		owner = new Phone(server.url, '198.51.100.1');
		await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' });
		id = (await owner.json('POST', '/api/networks', { name: 'Symposium' })).body.id;
		expect((await owner.json('PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 200 } } })).status).toBe(200);
		code = (await owner.json('POST', `/api/networks/${id}/join-codes`)).body.code;
	}, 120_000);
	afterAll(() => server?.dispose());

	test('80 sessions × 3 prompts from one address: a real member still gets in, and the facilitator clears the flood in one call', async () => {
		const { result } = await underAttack(
			server.url,
			async () => {
				const flood = Array.from({ length: 80 }, () => new Phone(server.url, VENUE));
				const joined = await inFlight(flood.map((p) => () => p.json('POST', `/api/join/${code}`)));
				const sent = await inFlight(flood.flatMap((p, i) => [0, 1, 2].map((n) => () => p.json('POST', `/api/networks/${id}/prompts`, { text: `spam ${i}.${n}` }))));
				const queue = await owner.json('GET', `/api/networks/${id}/prompts`);

				// A real audience member, behind the same venue address.
				const real = new Phone(server.url, VENUE);
				const realJoin = await real.json('POST', `/api/join/${code}`);
				expect(realJoin.status).toBe(200);
				const mine = await real.json('POST', `/api/networks/${id}/prompts`, { text: 'a dream of the sea at dawn' });

				// The facilitator picks the flood's sessions out of the audience list and removes them at once.
				const listed = await owner.json('GET', `/api/networks/${id}/audience`);
				const floodIds = listed.body.sessions.filter((s: { label: string }) => s.label !== realJoin.body.label).map((s: { id: string }) => s.id);
				const removed = await owner.json('POST', `/api/networks/${id}/audience/remove`, { sessionIds: floodIds });
				return { joined, sent, queue, mine, removed, real, flood };
			},
			{ maxMs: 200, label: 'audience flood (80 joins + 240 prompts, one address)' }
		);
		const { joined, sent, queue, mine, removed, real, flood } = result;
		expect(joined.filter((j) => j.status !== 200)).toEqual([]);
		expect(sent.filter((s) => s.status === 201).length).toBeGreaterThanOrEqual(200);
		// Refusals say in plain words what happened.
		for (const refused of sent.filter((s) => s.status !== 201)) {
			expect(refused.status).toBe(429);
			expect(refused.body.error).toMatch(/queue is full right now|prompts waiting already/);
		}
		expect(queue.body.waiting.length + queue.body.recent.filter((p: { status: string }) => p.status === 'started').length).toBeGreaterThanOrEqual(200);

		expect(mine.status).toBe(201);
		expect(removed).toMatchObject({ status: 200, body: { removed: 80, prompts: expect.any(Number) } });
		expect(removed.body.prompts).toBeGreaterThanOrEqual(190);

		// What is left waiting is the real member's prompt (unless it already started a run).
		const after = await owner.json('GET', `/api/networks/${id}/prompts`);
		expect(after.body.waiting.map((p: { text: string }) => p.text).filter((t: string) => t.startsWith('spam'))).toEqual([]);
		const own = await real.json('GET', `/api/networks/${id}/prompts`);
		expect(own.body.prompts[0]).toMatchObject({ text: 'a dream of the sea at dawn', status: expect.stringMatching(/queued|started/) });
		// The removed are told so.
		const refused = await flood[0].json('POST', `/api/networks/${id}/prompts`, { text: 'again' });
		expect(refused).toMatchObject({ status: 403, body: { error: 'You were removed from this event.' } });

		// One call clears whatever is waiting.
		const cleared = await owner.json('POST', `/api/networks/${id}/prompts/clear`);
		expect(cleared.status).toBe(200);
		expect((await owner.json('GET', `/api/networks/${id}/prompts`)).body.waiting).toEqual([]);
		expect((await real.json('POST', `/api/networks/${id}/prompts/clear`)).status).toBe(401);
	}, 60_000);

	test('joins from one address are capped per network (a burst, then a rate); another address still joins', async () => {
		const address = '192.0.2.50';
		const { result } = await underAttack(
			server.url,
			() => inFlight(Array.from({ length: 130 }, () => () => new Phone(server.url, address).json('POST', `/api/join/${code}`))),
			{ maxMs: 200, label: '130 joins from one address' }
		);
		const ok = result.filter((r) => r.status === 200).length;
		expect(ok).toBeGreaterThanOrEqual(100);
		expect(ok).toBeLessThan(105); // the burst, and what refilled at one a second meanwhile
		const refused = result.filter((r) => r.status !== 200);
		for (const r of refused) {
			expect(r.status).toBe(429);
			expect(r.body.error).toBe('Lots of people are joining right now. This page tries again by itself in a few seconds.');
			expect(r.res.headers.get('retry-after')).toBe('5');
		}
		// Someone elsewhere is not held up by that address.
		expect((await new Phone(server.url, '192.0.2.51').json('POST', `/api/join/${code}`)).status).toBe(200);
		// The phone page says it plainly and tries again by itself. The allowance refills at one a
		// second, so on a slow machine a token may have come back since the burst: spend it first.
		for (let i = 0; i < 10; i++) if ((await new Phone(server.url, address).json('POST', `/api/join/${code}`)).status === 429) break;
		const page = await new Phone(server.url, address).request('GET', `/j/${code}`);
		expect(page.status).toBe(429);
		const html = await page.text();
		expect(html).toContain('Lots of people are joining right now.');
		expect(html).toContain('trying again');
	}, 60_000);
});
