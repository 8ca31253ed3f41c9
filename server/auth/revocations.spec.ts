import { describe, expect, test } from 'vitest';
import { FORGOTTEN, RevocationLog } from './revocations';

type Subject = { user: string };

describe('RevocationLog', () => {
	test('a revocation after `since` in the same scope (or everywhere) that matches the subject', () => {
		const log = new RevocationLog<Subject>();
		const since = log.revision;
		log.record('net-1', (s) => s.user === 'ann', 'You were removed.');
		log.record(null, (s) => s.user === 'bob', 'You were logged out.', 4401);
		expect(log.revision).toBe(since + 2);
		expect(log.since(since, 'net-1', { user: 'ann' })).toMatchObject({ reason: 'You were removed.' });
		expect(log.since(since, 'net-2', { user: 'ann' })).toBeNull(); // another network
		expect(log.since(since, 'net-2', { user: 'bob' })).toMatchObject({ reason: 'You were logged out.', code: 4401 });
		expect(log.since(since, 'net-1', { user: 'cid' })).toBeNull();
	});

	test('what was revoked before a connection was authorised is not held against it', () => {
		const log = new RevocationLog<Subject>();
		log.record('net-1', () => true, 'This network is now private.');
		expect(log.since(log.revision, 'net-1', { user: 'ann' })).toBeNull();
	});

	test('after the memory, a connection that began before the forgotten ones cannot be told, and retries', () => {
		let now = 0;
		const log = new RevocationLog<Subject>(60_000, () => now);
		const old = log.revision;
		log.record('net-1', () => false, 'a');
		const recent = log.revision;
		now = 61_000;
		log.record('net-1', () => false, 'b'); // recording prunes what is past the memory
		expect(log.since(old, 'net-1', { user: 'ann' })).toBe(FORGOTTEN);
		expect(log.since(recent, 'net-1', { user: 'ann' })).toBeNull();
	});
});
