import { describe, expect, test } from 'vitest';
import { isAllowedOrigin, isSyncPath, roomFromPath } from './upgrade';

describe('roomFromPath', () => {
	test.each([
		['/sync/abc', 'abc'],
		['/sync/n7x2k9qz4f3m5w8y6t1r0p2s', 'n7x2k9qz4f3m5w8y6t1r0p2s'],
		['/sync/abc/feed', 'abc/feed'],
		['/sync/A-b_9', 'A-b_9'],
		['/sync/abc?token=1', 'abc'],
		['/sync/abc/feed?', 'abc/feed'],
		[`/sync/${'a'.repeat(64)}`, 'a'.repeat(64)],
		[`/sync/${'a'.repeat(64)}/${'b'.repeat(64)}`, `${'a'.repeat(64)}/${'b'.repeat(64)}`]
	])('%s → %s', (url, room) => {
		expect(roomFromPath(url)).toBe(room);
	});

	test.each([
		undefined,
		'',
		'/',
		'/sync',
		'/sync/',
		'/sync?x=1',
		'/sync//abc',
		'/sync/abc/',
		'/sync/abc//feed',
		'/sync/a/b/c',
		'/sync/../abc',
		'/sync/abc/..',
		'/sync/./abc',
		'/sync/a.b',
		'/sync/a%2Fb',
		'/sync/a%20b',
		'/sync/a b',
		'/sync/ab\u00e9',
		'/sync/abc#frag',
		'/sync/abc\\feed',
		'/sync/abc\u0000',
		'/Sync/abc',
		'/syncabc',
		'/api/sync/abc',
		'//sync/abc',
		'http://host/sync/abc',
		`/sync/${'a'.repeat(65)}`,
		`/sync/abc/${'b'.repeat(65)}`
	])('rejects %j', (url) => {
		expect(roomFromPath(url)).toBeNull();
	});
});

describe('isSyncPath', () => {
	test.each(['/sync', '/sync/', '/sync/abc', '/sync/abc/feed', '/sync?x'])('%s is ours', (url) => {
		expect(isSyncPath(url)).toBe(true);
	});
	test.each([undefined, '', '/', '/synchronize', '/syncx/abc', '/@vite/client', '/api/sync', '/', '/_app'])(
		'%j is not (dev HMR and others keep their upgrades)',
		(url) => {
			expect(isSyncPath(url)).toBe(false);
		}
	);
});

describe('isAllowedOrigin with a configured ORIGIN', () => {
	const configured = 'https://panic.example.org';

	test.each([
		'https://panic.example.org',
		'https://panic.example.org/',
		'https://PANIC.example.org',
		'HTTPS://panic.example.org',
		'https://panic.example.org:443'
	])('accepts %s', (origin) => {
		expect(isAllowedOrigin(origin, 'whatever', configured)).toBe(true);
	});

	test('the Host header does not matter when ORIGIN is set (proxies rewrite it)', () => {
		expect(isAllowedOrigin('https://panic.example.org', 'internal:3000', configured)).toBe(true);
		expect(isAllowedOrigin('https://panic.example.org', undefined, configured)).toBe(true);
	});

	test.each([
		undefined,
		'',
		'null',
		'http://panic.example.org',
		'https://panic.example.org:8443',
		'https://evil.example.org',
		'https://panic.example.org.evil.com',
		'https://evilpanic.example.org',
		'https://sub.panic.example.org',
		'https://panic.example.org@evil.com',
		'https://user@panic.example.org',
		'https://panic.example.org/path',
		'https://panic.example.org?x=1',
		'ws://panic.example.org',
		'file://panic.example.org',
		'panic.example.org',
		'not a url'
	])('refuses %j', (origin) => {
		expect(isAllowedOrigin(origin, 'panic.example.org', configured)).toBe(false);
	});

	test('a configured origin with a path or trailing slash still names the same origin', () => {
		expect(isAllowedOrigin('https://panic.example.org', 'x', 'https://panic.example.org/')).toBe(true);
		expect(isAllowedOrigin('http://localhost:3000', 'x', 'http://localhost:3000/app')).toBe(true);
	});

	test('a malformed configured origin allows nothing', () => {
		expect(isAllowedOrigin('https://panic.example.org', 'panic.example.org', 'not a url')).toBe(false);
	});
});

describe('isAllowedOrigin without ORIGIN: same host as the request', () => {
	test.each([
		['http://localhost:3000', 'localhost:3000'],
		['https://localhost:3000', 'localhost:3000'],
		['http://127.0.0.1:5173', '127.0.0.1:5173'],
		['http://LOCALHOST:3000', 'localhost:3000'],
		['http://localhost:3000', 'LocalHost:3000'],
		['http://panic.local', 'panic.local'],
		['http://panic.local', 'panic.local:80'],
		['https://panic.local', 'panic.local:443'],
		['https://panic.local:443', 'panic.local'],
		['http://[::1]:3000', '[::1]:3000'],
		['http://192.168.1.20:3000', '192.168.1.20:3000']
	])('accepts Origin %s for Host %s', (origin, host) => {
		expect(isAllowedOrigin(origin, host)).toBe(true);
	});

	test.each([
		[undefined, 'localhost:3000'],
		['', 'localhost:3000'],
		['null', 'localhost:3000'],
		['http://localhost:3000', undefined],
		['http://localhost:3000', ''],
		['http://localhost:3001', 'localhost:3000'],
		['http://localhost', 'localhost:3000'],
		['http://evil.com:3000', 'localhost:3000'],
		['http://localhost.evil.com:3000', 'localhost:3000'],
		['https://panic.local', 'panic.local:80'],
		['http://panic.local', 'panic.local:443'],
		['http://127.0.0.1:3000', 'localhost:3000'],
		['ws://localhost:3000', 'localhost:3000'],
		['chrome-extension://abcdef', 'abcdef'],
		['http://localhost:3000/path', 'localhost:3000'],
		['http://a@localhost:3000', 'localhost:3000'],
		// A Host header that is not a plain host[:port] never matches anything.
		['http://evil.com', 'evil.com@localhost:3000'],
		['http://localhost:3000', 'localhost:3000/x'],
		['http://localhost:3000', 'localhost:3000 '],
		['http://localhost:3000', 'localhost:abc'],
		['http://localhost:3000', 'user@localhost:3000']
	])('refuses Origin %j for Host %j', (origin, host) => {
		expect(isAllowedOrigin(origin, host)).toBe(false);
	});
});
