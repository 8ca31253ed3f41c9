import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { until } from '../../tests/helpers/wait';
import { AppError } from '../errors';
import { ConnectionAdmission, type ConnectionClaim, type ConnectionGate, type ConnectionLimits } from '../http/connection-admission';
import { MemoryRateLimits, type RateLimits } from './counters';
import { RedisConnectionAdmission } from './counters-connections';
import { RedisRateLimits } from './counters-redis';

/**
 * One contract, two implementations: the in-memory counters of the single process and the
 * Redis ones of a cluster must behave the same (on real time, with short windows). The Redis
 * half needs TEST_REDIS_URL and is skipped without it.
 */
const REDIS_URL = process.env.TEST_REDIS_URL;
const clients: Redis[] = [];
const gates: ConnectionGate[] = [];
const redis = () => {
	const client = new Redis(REDIS_URL!, { maxRetriesPerRequest: null });
	clients.push(client);
	return client;
};
const newPrefix = () => `panic-spec-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
	await Promise.all(gates.map((g) => g.close?.()));
	await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
});

const implementations: Array<[string, () => RateLimits, boolean]> = [
	['in memory', () => new MemoryRateLimits(), true],
	['in Redis', () => new RedisRateLimits(redis(), { prefix: newPrefix() }), !!REDIS_URL]
];

describe.each(implementations)('rate limits %s', (_name, make, available) => {
	test.runIf(available)('allows `limit` takes, then says how long to wait, and refills over the window', async () => {
		const limit = make().rateLimit('t', 3, 600);
		for (let i = 0; i < 3; i++) expect((await limit.take('a')).ok).toBe(true);
		const refused = await limit.take('a');
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(0);
		if (!refused.ok) expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
		// One token comes back every 200 ms.
		await until('a token to refill', async () => (await limit.take('a')).ok, 2000);
	});

	test.runIf(available)('keys and names are independent; reset forgives one key', async () => {
		const rates = make();
		const limit = rates.rateLimit('t', 1, 60_000);
		expect((await limit.take('a')).ok).toBe(true);
		expect((await limit.take('a')).ok).toBe(false);
		expect((await limit.take('b')).ok).toBe(true);
		expect((await rates.rateLimit('other', 1, 60_000).take('a')).ok).toBe(true);
		// The same name with another limit is another limit.
		expect((await rates.rateLimit('t', 2, 60_000).take('a')).ok).toBe(true);
		await limit.reset('a');
		expect((await limit.take('a')).ok).toBe(true);
	});

	test.runIf(available)('peek does not spend; refund gives one back; spent says how much was taken', async () => {
		const limit = make().rateLimit('t', 2, 60_000);
		expect(await limit.spent('a')).toBe(0);
		expect(await limit.peek('a')).toBe(true);
		expect(await limit.peek('a')).toBe(true);
		await limit.take('a');
		await limit.take('a');
		expect(await limit.peek('a')).toBe(false);
		expect(await limit.spent('a')).toBeCloseTo(2, 1);
		await limit.refund('a');
		expect(await limit.peek('a')).toBe(true);
		expect(await limit.spent('a')).toBeCloseTo(1, 1);
		// Refunding a key never taken from does not create credit beyond the limit.
		await limit.refund('never');
		for (let i = 0; i < 2; i++) expect((await limit.take('never')).ok).toBe(true);
		expect((await limit.take('never')).ok).toBe(false);
	});

	test.runIf(available)('concurrent takes never spend more than the limit', async () => {
		const limit = make().rateLimit('t', 5, 60_000);
		const taken = await Promise.all(Array.from({ length: 40 }, () => limit.take('burst')));
		expect(taken.filter((t) => t.ok)).toHaveLength(5);
	});
});

describe.skipIf(!REDIS_URL)('rate limits in Redis: what only Redis shows', () => {
	test('two processes spend from one bucket', async () => {
		const prefix = newPrefix();
		const a = new RedisRateLimits(redis(), { prefix }).rateLimit('t', 4, 60_000);
		const b = new RedisRateLimits(redis(), { prefix }).rateLimit('t', 4, 60_000);
		const taken = await Promise.all([a, b, a, b, a, b].map((limit) => limit.take('k')));
		expect(taken.filter((t) => t.ok)).toHaveLength(4);
	});

	test('a bucket expires once it would have refilled, so keys do not pile up', async () => {
		const prefix = newPrefix();
		const client = redis();
		const limit = new RedisRateLimits(client, { prefix }).rateLimit('t', 2, 500);
		await limit.take('k');
		const [key] = await client.keys(`${prefix}:*`);
		expect(key).toBe(`${prefix}:rl:t:2:500:k`);
		// Half a bucket spent refills in 250 ms; the key lives that long and a second more at most.
		const ttl = await client.pttl(key);
		expect(ttl).toBeGreaterThan(0);
		expect(ttl).toBeLessThanOrEqual(1250);
		await until('the bucket to expire', async () => (await client.exists(key)) === 0, 3000);
		// A full bucket is no bucket: peeking and refunding write nothing.
		await limit.peek('other');
		await limit.refund('other');
		expect(await client.keys(`${prefix}:*`)).toEqual([]);
	});
});

const LIMITS: ConnectionLimits = { perAddress: 4, perAddressAnonymous: 2, perSession: 3, perNetwork: 6, total: 100 };
const claim = (over: Partial<ConnectionClaim> = {}): ConnectionClaim => ({ address: '10.0.0.1', session: 's1', network: 'n1', ...over });

const gateImplementations: Array<[string, (limits: ConnectionLimits, prefix: string) => ConnectionGate, boolean]> = [
	['in memory', (limits) => new ConnectionAdmission(limits), true],
	[
		'in Redis',
		(limits, prefix) => {
			const gate = new RedisConnectionAdmission({ redis: redis(), prefix, processId: `p-${randomBytes(3).toString('hex')}`, limits, ttlMs: 1000 });
			gates.push(gate);
			return gate;
		},
		!!REDIS_URL
	]
];

describe.each(gateImplementations)('connection admission %s', (_name, make, available) => {
	test.runIf(available)('per session, per anonymous address, per address and per network, released exactly once', async () => {
		const gate = make(LIMITS, newPrefix());
		const s1 = await Promise.all([1, 2, 3].map(() => gate.admit(claim())));
		expect(s1.every((a) => a.ok)).toBe(true);
		expect(await gate.admit(claim())).toMatchObject({ ok: false, limit: 'session', status: 429 });
		const anonymous = [await gate.admit(claim({ session: null, address: '10.0.0.2' })), await gate.admit(claim({ session: null, address: '10.0.0.2' }))];
		expect(anonymous.every((a) => a.ok)).toBe(true);
		expect(await gate.admit(claim({ session: null, address: '10.0.0.2' }))).toMatchObject({ ok: false, limit: 'anonymous' });
		// The address holds 3 (s1); a fourth from another session is let in, a fifth is not.
		expect((await gate.admit(claim({ session: 's2' }))).ok).toBe(true);
		expect(await gate.admit(claim({ session: 's3' }))).toMatchObject({ ok: false, limit: 'address', status: 429 });
		// The network holds 6 now.
		expect(await gate.admit(claim({ session: 's9', address: '10.0.0.9' }))).toMatchObject({ ok: false, limit: 'network', status: 503 });
		expect((await gate.admit(claim({ session: 's9', address: '10.0.0.9', network: 'n2' }))).ok).toBe(true);
		expect(gate.open).toBe(7);
		const first = s1[0];
		if (first.ok) {
			first.release();
			first.release();
		}
		expect(gate.open).toBe(6);
		// Released in Redis too (after the release's round trip): the session has room for one.
		await until('the slot to come back', async () => (await gate.admit(claim())).ok, 2000);
		expect(await gate.admit(claim())).toMatchObject({ ok: false, limit: 'session' });
	});

	test.runIf(available)('the process-wide cap counts this process only', async () => {
		const gate = make({ ...LIMITS, perNetwork: 100, perAddress: 100, total: 2 }, newPrefix());
		expect((await gate.admit(claim())).ok).toBe(true);
		expect((await gate.admit(claim({ session: 's2' }))).ok).toBe(true);
		expect(await gate.admit(claim({ session: 's3' }))).toMatchObject({ ok: false, limit: 'total', status: 503 });
	});
});

describe.skipIf(!REDIS_URL)('connection admission in Redis: across processes', () => {
	const gate = (prefix: string, client = redis(), options: { ttlMs?: number; deadlineMs?: number; limits?: ConnectionLimits } = {}) => {
		const made = new RedisConnectionAdmission({
			redis: client,
			prefix,
			processId: `p-${randomBytes(3).toString('hex')}`,
			limits: options.limits ?? LIMITS,
			ttlMs: options.ttlMs ?? 1000,
			deadlineMs: options.deadlineMs,
			log: { warn() {} }
		});
		gates.push(made);
		return made;
	};

	test('three processes share the per-session and per-address caps, and two cannot both take the last slot', async () => {
		const prefix = newPrefix();
		const processes = [gate(prefix), gate(prefix), gate(prefix)];
		const admitted = await Promise.all(Array.from({ length: 12 }, (_, i) => processes[i % 3].admit(claim())));
		expect(admitted.filter((a) => a.ok)).toHaveLength(LIMITS.perSession);
		const others = await Promise.all(Array.from({ length: 12 }, (_, i) => processes[i % 3].admit(claim({ session: `other-${i}` }))));
		expect(others.filter((a) => a.ok)).toHaveLength(LIMITS.perAddress - LIMITS.perSession);
	});

	test('a process that dies without releasing frees its slots once its heartbeat lapses', async () => {
		const prefix = newPrefix();
		const dying = gate(prefix, redis(), { ttlMs: 300 });
		const survivor = gate(prefix, redis(), { ttlMs: 300 });
		for (let i = 0; i < 3; i++) expect((await dying.admit(claim())).ok).toBe(true);
		expect(await survivor.admit(claim())).toMatchObject({ ok: false, limit: 'session' });
		// While it lives, its heartbeat (every ttl/3) keeps its counts: three TTLs pass here.
		const start = Date.now();
		await until('three TTLs to pass', () => Date.now() - start > 900);
		expect(await survivor.admit(claim())).toMatchObject({ ok: false, limit: 'session' });
		dying.abandon();
		await until('the dead process’s slots to free', async () => (await survivor.admit(claim())).ok, 5000);
		const client = redis();
		// …and it is gone from the set of processes.
		await until('the dead process to leave the set', async () => (await client.smembers(`${prefix}:conn:procs`)).length === 1, 5000);
	});

	test('a closed process gives its slots back at once', async () => {
		const prefix = newPrefix();
		const leaving = gate(prefix, redis(), { ttlMs: 60_000 });
		const staying = gate(prefix, redis(), { ttlMs: 60_000 });
		for (let i = 0; i < 3; i++) await leaving.admit(claim());
		await leaving.close();
		expect((await staying.admit(claim())).ok).toBe(true);
		expect(await leaving.admit(claim({ session: 'late' }))).toMatchObject({ ok: false });
	});

	test('with Redis out of reach, admissions and rate limits fail closed with a 503, and counts heal once it is back', async () => {
		const prefix = newPrefix();
		const proxy = await tcpProxy(new URL(REDIS_URL!));
		try {
			const client = new Redis(proxy.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
			client.on('error', () => undefined);
			clients.push(client);
			const cut = gate(prefix, client, { ttlMs: 60_000, deadlineMs: 300 });
			const other = gate(prefix, redis(), { ttlMs: 60_000 });
			const rates = new RedisRateLimits(client, { prefix, deadlineMs: 300 });
			const held = await cut.admit(claim());
			expect(held.ok).toBe(true);

			proxy.cut();
			const refused = await cut.admit(claim({ session: 'during' }));
			expect(refused).toMatchObject({ ok: false, limit: 'unavailable', status: 503 });
			if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThan(0);
			const error = await rates
				.rateLimit('login', 5, 60_000)
				.take('x')
				.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(AppError);
			expect(error).toMatchObject({ status: 503, details: { retryAfterSeconds: 5 } });
			// The slot ends while Redis is away: Redis still counts it…
			if (held.ok) held.release();

			proxy.restore();
			// …until the heartbeat rewrites this process's counts from what it knows.
			const look = redis();
			const sessionCount = async () => {
				let sum = 0;
				for (const key of await look.keys(`${prefix}:conn:p:*`)) sum += Number((await look.hget(key, 's:s1')) ?? 0);
				return sum;
			};
			expect(await sessionCount()).toBe(1);
			await until('the counts to heal', async () => {
				await cut.beat();
				return (await sessionCount()) === 0;
			}, 10_000);
			for (let i = 0; i < 3; i++) expect((await other.admit(claim())).ok).toBe(true);
			expect(await other.admit(claim())).toMatchObject({ ok: false, limit: 'session' });
			expect((await rates.rateLimit('login', 5, 60_000).take('x')).ok).toBe(true);
		} finally {
			proxy.close();
		}
	});
});

/** A TCP relay to Redis that a test can cut (every connection dropped, new ones refused) and restore. */
async function tcpProxy(target: URL) {
	let open = true;
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		if (!open) return void client.destroy();
		const upstream = net.connect(Number(target.port || 6379), target.hostname);
		sockets.add(client).add(upstream);
		const drop = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', drop);
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return {
		url: `redis://127.0.0.1:${port}`,
		cut() {
			open = false;
			for (const socket of sockets) socket.destroy();
			sockets.clear();
		},
		restore() {
			open = true;
		},
		close() {
			open = false;
			for (const socket of sockets) socket.destroy();
			server.close();
		}
	};
}
