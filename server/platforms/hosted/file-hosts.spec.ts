import { describe, expect, test } from 'vitest';
import { fileHostPolicy, hostRule, type HostVerdict } from './file-hosts';

describe('fileHostPolicy', () => {
	const policy = fileHostPolicy({
		baseUrls: ['http://127.0.0.1:9001/v1', undefined, 'https://openai-proxy.internal/v1'],
		extraHosts: ['files.example.org', '*.cdn.example.net', 'http://10.0.0.5:8080', ' ', 'ftp://nope.example']
	});

	test.each<[string, HostVerdict]>([
		// The providers' file hosts: allowed, on public addresses only.
		['https://replicate.delivery/xezq/abc/out-0.png', 'public'],
		['https://pbxt.replicate.delivery/abc/out-0.png', 'public'],
		['https://REPLICATE.delivery/x.png', 'public'],
		['https://replicate.delivery./x.png', 'public'],
		['https://oaidalleapiprodscus.blob.core.windows.net/private/img.png', 'public'],
		['https://cdn-lfs.huggingface.co/repos/x', 'public'],
		['https://cas-bridge.xethub.hf.co/x', 'public'],
		['https://huggingface.co/x/resolve/main/y.png', 'public'],
		// Only https on the default port, and only those names.
		['http://replicate.delivery/x.png', 'refused'],
		['https://replicate.delivery:8443/x.png', 'refused'],
		['https://replicate.delivery.evil.example/x.png', 'refused'],
		['https://evilreplicate.delivery/x.png', 'refused'],
		['https://other.blob.core.windows.net/x.png', 'refused'],
		['https://api.replicate.com/v1/files/x', 'refused'],
		['https://example.com/x.png', 'refused'],
		['http://localhost/x', 'refused'],
		['http://localhost./x', 'refused'],
		['http://127.0.0.1/x', 'refused'],
		['http://169.254.169.254/latest/meta-data/', 'refused'],
		['http://[::1]:9001/x', 'refused'],
		// Configured base URLs: their exact origin, trusted.
		['http://127.0.0.1:9001/files/out.png', 'trusted'],
		['http://127.0.0.1:9002/files/out.png', 'refused'],
		['https://127.0.0.1:9001/files/out.png', 'refused'],
		['http://0x7f.1:9001/files/out.png', 'trusted'], // the same origin, however spelt
		['https://openai-proxy.internal/x.png', 'trusted'],
		// The operator's extra hosts, trusted.
		['https://files.example.org/a.png', 'trusted'],
		['http://files.example.org/a.png', 'refused'],
		['https://a.cdn.example.net/a.png', 'trusted'],
		['https://a.b.cdn.example.net/a.png', 'trusted'],
		['https://cdn.example.net/a.png', 'refused'],
		['http://10.0.0.5:8080/a.png', 'trusted'],
		['http://10.0.0.5/a.png', 'refused'],
		['ftp://nope.example/x', 'refused']
	])('%s → %s', (url, expected) => {
		expect(policy.verdict(new URL(url))).toBe(expected);
	});

	test('without configuration only the providers\u2019 hosts pass', () => {
		const bare = fileHostPolicy();
		expect(bare.verdict(new URL('https://replicate.delivery/x'))).toBe('public');
		expect(bare.verdict(new URL('http://127.0.0.1:9001/files/x'))).toBe('refused');
	});
});

describe('hostRule', () => {
	test.each([
		['replicate.delivery', { protocol: 'https:', hostname: 'replicate.delivery', port: '', subdomains: false }],
		['*.replicate.delivery', { protocol: 'https:', hostname: 'replicate.delivery', port: '', subdomains: true }],
		['Files.Example.ORG.', { protocol: 'https:', hostname: 'files.example.org', port: '', subdomains: false }],
		['files.example.org:8443', { protocol: 'https:', hostname: 'files.example.org', port: '8443', subdomains: false }],
		['https://files.example.org:443', { protocol: 'https:', hostname: 'files.example.org', port: '', subdomains: false }],
		['http://*.cdn.example', { protocol: 'http:', hostname: 'cdn.example', port: '', subdomains: true }],
		['http://[::1]:9001', { protocol: 'http:', hostname: '[::1]', port: '9001', subdomains: false }]
	])('%s', (entry, rule) => {
		expect(hostRule(entry, true)).toEqual({ ...rule, trusted: true });
	});

	test.each([[''], ['   '], ['ftp://x.example'], ['http://'], ['https://exa mple.org']])('%j names no host', (entry) => {
		expect(hostRule(entry, true)).toBeNull();
	});
});
