import { describe, expect, test } from 'vitest';
import { addRouteHeaders, frameAncestorsFromEnv, isKioskPage } from './security-headers';

describe('isKioskPage', () => {
	test.each(['/display/abc123', '/display/abc123/', '/networks/n1/display', '/networks/n1/display/'])('%s may be framed by kiosks', (path) => {
		expect(isKioskPage(path)).toBe(true);
	});
	test.each([
		'/',
		'/display',
		'/display/',
		'/display/a/b',
		'/networks/n1',
		'/networks/n1/present',
		'/networks/n1/console',
		'/networks/n1/display/x',
		'/networks/display',
		'/api/displays/abc',
		'/x/display/abc'
	])('%s may not', (path) => {
		expect(isKioskPage(path)).toBe(false);
	});
});

describe('frameAncestorsFromEnv', () => {
	test("unset or blank means 'self'", () => {
		expect(frameAncestorsFromEnv(undefined)).toEqual(["'self'"]);
		expect(frameAncestorsFromEnv('  ')).toEqual(["'self'"]);
	});
	test('origins, keywords and schemes, separated by spaces or commas', () => {
		expect(frameAncestorsFromEnv("'self' https://signage.example.org, https://*.example.org:8443")).toEqual([
			"'self'",
			'https://signage.example.org',
			'https://*.example.org:8443'
		]);
		expect(frameAncestorsFromEnv('*')).toEqual(['*']);
		expect(frameAncestorsFromEnv('https:')).toEqual(['https:']);
		expect(frameAncestorsFromEnv("'none'")).toEqual(["'none'"]);
	});
	test.each([
		'self', // unquoted keyword: a host called "self"
		"'unsafe-inline'",
		"'none' https://a.example",
		'https://a.example/path',
		'javascript:alert(1)',
		'https://a.example; script-src *',
		'ftp://a.example',
		'https://*'
	])('refuses %j with a message naming it', (value) => {
		expect(() => frameAncestorsFromEnv(value)).toThrow(/KIOSK_FRAME_ANCESTORS/);
	});
});

describe('addRouteHeaders', () => {
	const page = () => new Response('<html>', { headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'" } });

	test("pages may not be framed, kiosk pages by the configured sources", () => {
		expect(addRouteHeaders(page(), '/networks/n1', ["'self'"]).headers.get('content-security-policy')).toBe(
			"default-src 'self'; frame-ancestors 'none'"
		);
		expect(addRouteHeaders(page(), '/display/tok', ["'self'", 'https://signage.example.org']).headers.get('content-security-policy')).toBe(
			"default-src 'self'; frame-ancestors 'self' https://signage.example.org"
		);
	});

	test('API answers get a CSP that loads nothing and frames nowhere', () => {
		const res = addRouteHeaders(Response.json({ ok: true }), '/api/health', ['*']);
		expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
	});

	test('other responses (stored assets) are left to their own headers', () => {
		const res = addRouteHeaders(new Response('png', { headers: { 'content-type': 'image/png' } }), '/assets/x.png', ['*']);
		expect(res.headers.get('content-security-policy')).toBeNull();
	});
});
