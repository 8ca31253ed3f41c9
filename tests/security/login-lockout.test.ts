import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { underAttack } from './health-watch';

/**
 * Issue 11, finding 12, as an attacker runs it: guessing the owner’s password (from one
 * address, then from many), and a sign-up flood from one address. The owner keeps logging in
 * throughout, from home and, with the browser they used before, from the attacker's own
 * address; the flood meets 429s; and /api/health answers within 200 ms all along. Client addresses come from X-Forwarded-For (ADDRESS_HEADER), as behind a
 * proxy; limits are the defaults.
 */
let server: TestServer;
/** The owner's browser's device cookie, from signing up. */
let deviceCookie: string;

beforeAll(async () => {
	server = await startServer({ env: { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' } });
	const owner = new ApiClient(server.url);
	expect((await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'owner password' })).status).toBe(201);
	deviceCookie = `panic_device=${owner.cookies.get('panic_device')}`;
	// Load the log-in route once: the figures below are the server under attack, not its first request.
	expect((await login('192.0.2.1', 'owner password')).status).toBe(200);
});
afterAll(() => server?.dispose());

async function login(address: string, password: string, cookie?: string): Promise<{ status: number; ms: number }> {
	const started = performance.now();
	const res = await fetch(`${server.url}/api/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
		body: JSON.stringify({ email: 'owner@example.org', password })
	});
	await res.arrayBuffer();
	return { status: res.status, ms: performance.now() - started };
}

/**
 * Runs `attempt` from `workers` loops, each pausing `gapMs` between requests, until `until`
 * says stop; returns the statuses seen. Paced like a guessing script rather than flat out: a
 * flat-out flood of any route is a request-rate matter, not what these limits are about.
 */
async function flood(workers: number, gapMs: number, attempt: (i: number) => Promise<{ status: number }>, until: () => boolean) {
	const statuses: Record<number, number> = {};
	let next = 0;
	await Promise.all(
		Array.from({ length: workers }, async () => {
			while (!until()) {
				const { status } = await attempt(next++);
				statuses[status] = (statuses[status] ?? 0) + 1;
				await new Promise((r) => setTimeout(r, gapMs));
			}
		})
	);
	return statuses;
}

/** The owner logging in every 300 ms while `attack` runs: from `address`, with their browser's device cookie or without. */
async function ownerMeanwhile(attack: Promise<unknown>, address = '198.51.100.7', cookie?: string) {
	let done = false;
	void attack.finally(() => (done = true));
	const logins: Array<{ status: number; ms: number }> = [];
	while (!done) {
		logins.push(await login(address, 'owner password', cookie));
		await new Promise((r) => setTimeout(r, 300));
	}
	return logins;
}

const slowest = (logins: Array<{ ms: number }>) => Math.max(...logins.map((l) => l.ms));

test('guessing from one address: that address is refused; the owner logs in throughout, from home and from that very address', async () => {
	const deadline = Date.now() + 6_000;
	const { result } = await underAttack(
		server.url,
		async () => {
			const attack = flood(4, 100, (i) => login('203.0.113.66', `guess ${i}`), () => Date.now() > deadline);
			// At home; and in the same room as the attacker, behind the venue's one address, in the browser they used before.
			const [statuses, home, venue] = await Promise.all([attack, ownerMeanwhile(attack), ownerMeanwhile(attack, '203.0.113.66', deviceCookie)]);
			return { statuses, home, venue };
		},
		{ maxMs: 200, label: 'login guessing from one address' }
	);
	const { statuses, home, venue } = result;
	console.log(
		`[security] one address: attacker statuses ${JSON.stringify(statuses)}; owner at home ${home.length} log-ins, slowest ${slowest(home).toFixed(0)} ms; ` +
			`owner at the venue ${venue.length} log-ins, slowest ${slowest(venue).toFixed(0)} ms`
	);
	expect(statuses[400]).toBe(5); // five guesses checked, then only refusals
	expect(statuses[429]).toBeGreaterThan(100);
	for (const logins of [home, venue]) {
		expect(logins.length).toBeGreaterThan(5);
		expect(logins.every((l) => l.status === 200)).toBe(true);
		expect(slowest(logins)).toBeLessThan(1_500);
	}
}, 60_000);

test('guessing spread over many addresses slows the account down (capped), never locks the owner out', async () => {
	const addresses = 12;
	let sent = 0;
	const { result } = await underAttack(
		server.url,
		async () => {
			// Each address spends its five guesses; the account's slow-down grows to its cap.
			const attack = flood(16, 100, (i) => login(`203.0.113.${100 + (i % addresses)}`, `spread ${i}`), () => ++sent > addresses * 6);
			const [statuses, logins] = await Promise.all([attack, ownerMeanwhile(attack)]);
			return { statuses, logins };
		},
		{ maxMs: 200, label: 'login guessing from many addresses' }
	);
	const { statuses, logins } = result;
	console.log(`[security] ${addresses} addresses: attacker statuses ${JSON.stringify(statuses)}; owner ${logins.length} log-ins, slowest ${slowest(logins).toFixed(0)} ms`);
	expect(statuses[400]).toBe(addresses * 5);
	expect(statuses[429]).toBeGreaterThan(0);
	expect(logins.length).toBeGreaterThan(0);
	expect(logins.every((l) => l.status === 200)).toBe(true);
	// Slowed by at most LOGIN_MAX_DELAY_MS (3 s) plus the password check itself.
	expect(slowest(logins)).toBeLessThan(4_500);
}, 90_000);

test('a sign-up flood from one address meets 429s after 30 accounts; another address still signs up', async () => {
	const { result: statuses } = await underAttack(
		server.url,
		() =>
			flood(
				4,
				100,
				async (i) => {
					const res = await fetch(`${server.url}/api/auth/signup`, {
						method: 'POST',
						headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.50' },
						body: JSON.stringify({ email: `bot${i}@example.org`, password: 'bot password' })
					});
					await res.arrayBuffer();
					return res;
				},
				(() => {
					let n = 0;
					return () => ++n > 150;
				})()
			),
		{ maxMs: 200, label: 'sign-up flood from one address' }
	);
	console.log(`[security] sign-up flood: ${JSON.stringify(statuses)}`);
	expect(statuses[201]).toBe(30);
	expect(statuses[429]).toBeGreaterThan(100);
	const res = await fetch(`${server.url}/api/auth/signup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.51' },
		body: JSON.stringify({ email: 'real-person@example.org', password: 'a real password' })
	});
	expect(res.status).toBe(201);
}, 60_000);
