import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { addressKey, distrustForwarding, isTrustedPeer, parseTrustedProxies, requestAddress } from './client-address';

const req = (remoteAddress: string, headers: Record<string, string> = {}) =>
	({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('requestAddress', () => {
	test('the socket peer when no address header is configured, whatever headers say', () => {
		expect(requestAddress(req('10.0.0.5', { 'x-forwarded-for': '1.2.3.4' }), {})).toBe('10.0.0.5');
	});

	test('X-Forwarded-For at XFF_DEPTH from the right, as adapter-node reads it', () => {
		const r = req('127.0.0.1', { 'x-forwarded-for': 'spoofed, 203.0.113.7, 10.0.0.1' });
		expect(requestAddress(r, { ADDRESS_HEADER: 'X-Forwarded-For' })).toBe('10.0.0.1');
		expect(requestAddress(r, { ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '2' })).toBe('203.0.113.7');
	});

	test('another header as is; a missing one is "unknown"', () => {
		expect(requestAddress(req('127.0.0.1', { 'x-real-ip': ' 198.51.100.2 ' }), { ADDRESS_HEADER: 'x-real-ip' })).toBe('198.51.100.2');
		expect(requestAddress(req('127.0.0.1'), { ADDRESS_HEADER: 'x-real-ip' })).toBe('unknown');
	});
});

describe('addressKey', () => {
	test('IPv4 and IPv4-mapped IPv6 are the address', () => {
		expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
		expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
	});

	test('IPv6 counts per /64, however it is written', () => {
		expect(addressKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
		expect(addressKey('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey('2001:db8:0:2::5')).not.toBe(addressKey('2001:db8:0:1::5'));
	});

	test('anything else is kept as given', () => {
		expect(addressKey('unknown')).toBe('unknown');
	});
});

describe('trusted proxies', () => {
	const trusted = parseTrustedProxies('127.0.0.1, 10.1.0.0/16,::1')!;

	test('unset: no list, headers are taken from anyone as before', () => {
		expect(parseTrustedProxies('')).toBeNull();
		expect(parseTrustedProxies(undefined)).toBeNull();
		const r = req('198.51.100.9', { 'x-forwarded-for': '1.2.3.4' });
		distrustForwarding(r, null, { ADDRESS_HEADER: 'x-forwarded-for' });
		expect(requestAddress(r, { ADDRESS_HEADER: 'x-forwarded-for' })).toBe('1.2.3.4');
	});

	test('addresses and ranges, IPv4-mapped peers read as IPv4', () => {
		expect(isTrustedPeer('127.0.0.1', trusted)).toBe(true);
		expect(isTrustedPeer('::ffff:127.0.0.1', trusted)).toBe(true);
		expect(isTrustedPeer('10.1.200.3', trusted)).toBe(true);
		expect(isTrustedPeer('::1', trusted)).toBe(true);
		expect(isTrustedPeer('10.2.0.1', trusted)).toBe(false);
		expect(isTrustedPeer(undefined, trusted)).toBe(false);
		expect(() => parseTrustedProxies('proxy.local')).toThrow(/PANIC_TRUSTED_PROXIES/);
		expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/prefix/);
	});

	test("a trusted proxy's header is read; anyone else's is replaced by their own address", () => {
		const env = { ADDRESS_HEADER: 'x-forwarded-for' };
		const viaProxy = req('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' });
		distrustForwarding(viaProxy, trusted, env);
		expect(requestAddress(viaProxy, env)).toBe('203.0.113.7');
		const direct = req('198.51.100.9', { 'x-forwarded-for': '203.0.113.7' });
		distrustForwarding(direct, trusted, env);
		expect(requestAddress(direct, env)).toBe('198.51.100.9');
		const deep = req('198.51.100.9', { 'x-forwarded-for': 'a, b, c' });
		distrustForwarding(deep, trusted, { ...env, XFF_DEPTH: '2' });
		expect(requestAddress(deep, { ...env, XFF_DEPTH: '2' })).toBe('198.51.100.9');
		const bare = req('127.0.0.1');
		distrustForwarding(bare, null, env);
		expect(requestAddress(bare, env)).toBe('127.0.0.1');
		const other = req('198.51.100.9', { 'x-real-ip': '203.0.113.7' });
		distrustForwarding(other, trusted, { ADDRESS_HEADER: 'X-Real-IP' });
		expect(requestAddress(other, { ADDRESS_HEADER: 'X-Real-IP' })).toBe('198.51.100.9');
	});
});
