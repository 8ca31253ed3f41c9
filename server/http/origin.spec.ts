import { describe, expect, test } from 'vitest';
import { changesState, crossSiteCheck, isAllowedOrigin } from './origin';

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

describe('changesState', () => {
	test.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post', 'PROPFIND'])('%s may change state', (method) => {
		expect(changesState(method)).toBe(true);
	});
	test.each(['GET', 'HEAD', 'OPTIONS', 'get'])('%s only reads', (method) => {
		expect(changesState(method)).toBe(false);
	});
});

describe('crossSiteCheck', () => {
	const host = 'localhost:3000';
	const own = 'http://localhost:3000';

	test('the app’s own page passes, with or without Sec-Fetch-Site', () => {
		expect(crossSiteCheck({ origin: own, host })).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: own, secFetchSite: 'same-origin', host })).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: own, secFetchSite: 'SAME-ORIGIN', host })).toEqual({ ok: true });
		// A person's own action (a bookmarklet, a typed URL) is not another site.
		expect(crossSiteCheck({ origin: own, secFetchSite: 'none', host })).toEqual({ ok: true });
	});

	test.each([
		// The attack from the issue: a page on another port of the same host (same site).
		[{ origin: 'http://localhost:4000', secFetchSite: 'same-site' }],
		[{ origin: 'http://localhost:4000' }],
		[{ secFetchSite: 'same-site' }],
		// curl with a forged foreign Origin.
		[{ origin: 'http://evil.example' }],
		[{ origin: 'http://evil.example', secFetchSite: 'cross-site' }],
		[{ secFetchSite: 'cross-site' }],
		// A sandboxed frame or a privacy-stripped origin.
		[{ origin: 'null' }],
		[{ origin: 'null', secFetchSite: 'cross-site' }],
		// Sec-Fetch-Site is the browser's word: a matching Origin cannot outvote it.
		[{ origin: own, secFetchSite: 'cross-site' }],
		[{ origin: own, secFetchSite: 'same-site' }],
		// Values the Fetch spec does not define are not trusted.
		[{ origin: own, secFetchSite: 'same-origin, cross-site' }],
		[{ secFetchSite: 'maybe' }],
		// Not an http(s) origin.
		[{ origin: 'chrome-extension://abcdef' }],
		[{ origin: 'file://' }]
	])('refuses %j with a message that says what to do', (headers) => {
		const verdict = crossSiteCheck({ ...headers, host });
		expect(verdict.ok).toBe(false);
		if (!verdict.ok) expect(verdict.error).toMatch(/another site.*its own pages/);
	});

	test('a request with neither header is not a browser’s: it passes unless an Origin is required', () => {
		expect(crossSiteCheck({ host })).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: null, secFetchSite: null, host })).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: '', host })).toEqual({ ok: true });
		expect(crossSiteCheck({ host }, { requireOrigin: true }).ok).toBe(false);
		expect(crossSiteCheck({ origin: '', host }, { requireOrigin: true }).ok).toBe(false);
		expect(crossSiteCheck({ secFetchSite: 'same-origin', host }, { requireOrigin: true }).ok).toBe(false);
		expect(crossSiteCheck({ origin: own, host }, { requireOrigin: true })).toEqual({ ok: true });
	});

	test('with ORIGIN configured the Origin must be exactly it, whatever Host a proxy sends', () => {
		const opts = { configuredOrigin: 'https://panic.example.org' };
		expect(crossSiteCheck({ origin: 'https://panic.example.org', host: '127.0.0.1:3000' }, opts)).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: 'https://panic.example.org', secFetchSite: 'same-origin', host: 'x' }, opts)).toEqual({ ok: true });
		expect(crossSiteCheck({ origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }, opts).ok).toBe(false);
		expect(crossSiteCheck({ origin: 'https://www.panic.example.org', host: 'panic.example.org' }, opts).ok).toBe(false);
		expect(crossSiteCheck({ host: 'panic.example.org' }, opts)).toEqual({ ok: true });
	});

	test('a foreign Origin is refused even when the Host header was forged to match it', () => {
		// A browser never lets a page set Host; a forged one only fools a check that trusts it alone.
		expect(crossSiteCheck({ origin: 'http://evil.example', host: 'evil.example' }, { configuredOrigin: own }).ok).toBe(false);
	});
});
