import { describe, expect, test } from 'vitest';
import {
	ConnectionAdmission,
	connectionRefusal,
	DEFAULT_CONNECTION_LIMITS,
	describeConnectionLimits,
	resolveConnectionLimits,
	type ConnectionCounts,
	type ConnectionLimits
} from './connection-admission';

const limits: ConnectionLimits = { perAddress: 10, perAddressAnonymous: 3, perSession: 2, perNetwork: 8, total: 9 };
const none: ConnectionCounts = { session: 0, anonymous: 0, address: 0, network: 0, total: 0 };

describe('connectionRefusal', () => {
	test('nothing open: admitted', () => {
		expect(connectionRefusal(none, limits, false)).toBeNull();
		expect(connectionRefusal(none, limits, true)).toBeNull();
	});

	test('a session at its cap: 429, for sessions only', () => {
		expect(connectionRefusal({ ...none, session: 2 }, limits, false)).toMatchObject({ limit: 'session', status: 429 });
		expect(connectionRefusal({ ...none, session: 1 }, limits, false)).toBeNull();
	});

	test('anonymous connections have their own, lower per-address cap', () => {
		const counts = { ...none, anonymous: 3, address: 3 };
		expect(connectionRefusal(counts, limits, true)).toMatchObject({ limit: 'anonymous', status: 429, message: expect.stringMatching(/Join with the code/) });
		// Someone with a session on the same address is not held to it.
		expect(connectionRefusal(counts, limits, false)).toBeNull();
	});

	test('an address at its cap: 429 for everyone on it', () => {
		expect(connectionRefusal({ ...none, address: 10 }, limits, false)).toMatchObject({ limit: 'address', status: 429 });
		expect(connectionRefusal({ ...none, address: 10 }, limits, true)).toMatchObject({ limit: 'address', status: 429 });
	});

	test('a full network or process: 503 with a longer Retry-After', () => {
		expect(connectionRefusal({ ...none, network: 8 }, limits, false)).toMatchObject({ limit: 'network', status: 503, retryAfterSeconds: 15 });
		expect(connectionRefusal({ ...none, total: 9 }, limits, true)).toMatchObject({ limit: 'total', status: 503 });
	});

	test("a client's own share is named before the process being full", () => {
		expect(connectionRefusal({ session: 2, anonymous: 0, address: 10, network: 8, total: 9 }, limits, false)).toMatchObject({ limit: 'session' });
		expect(connectionRefusal({ session: 0, anonymous: 0, address: 10, network: 8, total: 9 }, limits, false)).toMatchObject({ limit: 'address' });
	});

	test('every refusal says what to do next', () => {
		for (const counts of [{ session: 2 }, { anonymous: 3 }, { address: 10 }, { network: 8 }, { total: 9 }]) {
			const refusal = connectionRefusal({ ...none, ...counts }, limits, 'anonymous' in counts)!;
			expect(refusal.message).toMatch(/try again/i);
			expect(refusal.retryAfterSeconds).toBeGreaterThan(0);
		}
	});
});

describe('ConnectionAdmission', () => {
	test('counts per session, address and network, and releases exactly once', () => {
		const admission = new ConnectionAdmission(limits);
		const a = admission.admit({ address: '1.1.1.1', session: 's1', network: 'n' });
		const b = admission.admit({ address: '1.1.1.1', session: 's1', network: 'n' });
		expect(a.ok && b.ok).toBe(true);
		expect(admission.admit({ address: '1.1.1.1', session: 's1', network: 'other' })).toMatchObject({ ok: false, limit: 'session' });
		expect(admission.counts({ address: '1.1.1.1', session: 's1', network: 'n' })).toEqual({ session: 2, anonymous: 0, address: 2, network: 2, total: 2 });
		if (!a.ok) throw new Error('admitted');
		a.release();
		a.release(); // a second release (stream cancelled after the server closed it) changes nothing
		expect(admission.open).toBe(1);
		expect(admission.admit({ address: '1.1.1.1', session: 's1', network: 'n' }).ok).toBe(true);
	});

	test('anonymous connections are counted per address apart from sessions', () => {
		const admission = new ConnectionAdmission(limits);
		for (let i = 0; i < 3; i++) expect(admission.admit({ address: '2.2.2.2', session: null, network: 'n' }).ok).toBe(true);
		expect(admission.admit({ address: '2.2.2.2', session: null, network: 'n' })).toMatchObject({ ok: false, status: 429, limit: 'anonymous' });
		expect(admission.admit({ address: '3.3.3.3', session: null, network: 'n' }).ok).toBe(true);
		expect(admission.admit({ address: '2.2.2.2', session: 'phone', network: 'n' }).ok).toBe(true);
	});

	test('the process-wide cap refuses everyone with 503 until something closes', () => {
		const admission = new ConnectionAdmission({ ...limits, perNetwork: 100 });
		const open = Array.from({ length: 9 }, (_, i) => admission.admit({ address: `10.0.0.${i}`, session: `s${i}`, network: 'n' }));
		expect(admission.admit({ address: '10.0.1.1', session: 'new', network: 'm' })).toMatchObject({ ok: false, status: 503, limit: 'total' });
		const first = open[0];
		if (first.ok) first.release();
		expect(admission.admit({ address: '10.0.1.1', session: 'new', network: 'm' }).ok).toBe(true);
	});

	test('maps forget what is closed', () => {
		const admission = new ConnectionAdmission(limits);
		const grants = Array.from({ length: 50 }, (_, i) => admission.admit({ address: `a${i}`, session: i % 2 ? null : `s${i}`, network: `n${i}` }));
		for (const grant of grants) if (grant.ok) grant.release();
		expect(admission.open).toBe(0);
		expect(admission.counts({ address: 'a0', session: 's0', network: 'n0' })).toEqual({ session: 0, anonymous: 0, address: 0, network: 0, total: 0 });
	});
});

describe('resolveConnectionLimits', () => {
	test('the process cap is lowered to what the descriptors allow', () => {
		const low = resolveConnectionLimits(DEFAULT_CONNECTION_LIMITS, 1024);
		expect(low.limits.total).toBe(768);
		expect(low.maxSockets).toBe(896);
		expect(resolveConnectionLimits(DEFAULT_CONNECTION_LIMITS, 20_000).limits.total).toBe(10_000);
		expect(resolveConnectionLimits({ ...DEFAULT_CONNECTION_LIMITS, fdReserve: 1000 }, 2000).limits.total).toBe(1000);
	});

	test('the log line names the caps and where the ceiling comes from', () => {
		expect(describeConnectionLimits(resolveConnectionLimits(DEFAULT_CONNECTION_LIMITS, 512))).toBe(
			'live connections: at most 256 (descriptor limit 512, 256 kept free), 2000 per address (64 without a session), 32 per session, 5000 per network'
		);
		expect(describeConnectionLimits(resolveConnectionLimits(DEFAULT_CONNECTION_LIMITS, null))).toMatch(/at most 10000 \(descriptor limit unknown, 0 kept free\)/);
	});

	test('without a known descriptor limit, the configured caps stand', () => {
		const resolved = resolveConnectionLimits({ ...DEFAULT_CONNECTION_LIMITS, maxSockets: 5000 }, null);
		expect(resolved.limits).toEqual(DEFAULT_CONNECTION_LIMITS);
		expect(resolved.maxSockets).toBe(5000);
		expect(resolved.descriptorCeiling).toBe(Infinity);
	});
});
