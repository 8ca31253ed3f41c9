import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { addressKey, requestAddress } from './client-address';

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
