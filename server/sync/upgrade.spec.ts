import { describe, expect, test } from 'vitest';
import { roomFromPath } from './upgrade';

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
