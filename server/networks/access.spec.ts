import { describe, expect, test } from 'vitest';
import { canEdit, canEditGraph, canManage, canSetLock, resolveRole, seesThroughVisibility, strongerRole } from './access';

const alice = { id: 'alice', is_admin: false };
const admin = { id: 'root', is_admin: true };
const net = (visibility: 'private' | 'unlisted' | 'public') => ({ owner_id: 'alice', visibility });

describe('resolveRole', () => {
	test('the owner is owner whatever the visibility', () => {
		for (const v of ['private', 'unlisted', 'public'] as const) expect(resolveRole(net(v), alice, null)).toBe('owner');
	});
	test('members keep their invited role', () => {
		expect(resolveRole(net('private'), { id: 'bob', is_admin: false }, 'editor')).toBe('editor');
		expect(resolveRole(net('public'), { id: 'bob', is_admin: false }, 'viewer')).toBe('viewer');
	});
	test('strangers see public and unlisted networks read-only, and private ones not at all', () => {
		const bob = { id: 'bob', is_admin: false };
		expect(resolveRole(net('public'), bob, null)).toBe('viewer');
		expect(resolveRole(net('unlisted'), bob, null)).toBe('viewer');
		expect(resolveRole(net('unlisted'), null, null)).toBe('viewer');
		expect(resolveRole(net('private'), bob, null)).toBeNull();
		expect(resolveRole(net('private'), null, null)).toBeNull();
	});
	test('a site admin can view a private network but not edit it', () => {
		expect(resolveRole(net('private'), admin, null)).toBe('viewer');
		expect(resolveRole(net('private'), admin, 'editor')).toBe('editor');
	});
});

describe('seesThroughVisibility', () => {
	const bob = { id: 'bob', is_admin: false };
	test('strangers and anonymous readers of a public or unlisted network: yes', () => {
		for (const v of ['public', 'unlisted'] as const) {
			expect(seesThroughVisibility(net(v), bob, null)).toBe(true);
			expect(seesThroughVisibility(net(v), null, null)).toBe(true);
		}
	});
	test('owner, members and site admins keep their access when it goes private: no', () => {
		expect(seesThroughVisibility(net('public'), alice, null)).toBe(false);
		expect(seesThroughVisibility(net('public'), bob, 'viewer')).toBe(false);
		expect(seesThroughVisibility(net('unlisted'), admin, null)).toBe(false);
	});
	test('no access at all is not access through visibility', () => {
		expect(seesThroughVisibility(net('private'), bob, null)).toBe(false);
		expect(seesThroughVisibility(net('private'), null, null)).toBe(false);
	});
});

test('edit and manage rights follow the role table', () => {
	expect([canEdit('owner'), canEdit('editor'), canEdit('viewer'), canEdit(null)]).toEqual([true, true, false, false]);
	expect([canManage('owner'), canManage('editor'), canManage('viewer')]).toEqual([true, false, false]);
});

test('accepting an invite never demotes', () => {
	expect(strongerRole('editor', 'viewer')).toBe('editor');
	expect(strongerRole('viewer', 'editor')).toBe('editor');
	expect(strongerRole('viewer', 'viewer')).toBe('viewer');
});

describe('the canvas lock', () => {
	test('while locked only the owner writes the graph; unlocked, owner and editors do', () => {
		expect([canEditGraph('owner', false), canEditGraph('editor', false), canEditGraph('viewer', false), canEditGraph(null, false)]).toEqual([
			true,
			true,
			false,
			false
		]);
		expect([canEditGraph('owner', true), canEditGraph('editor', true), canEditGraph('viewer', true), canEditGraph(null, true)]).toEqual([
			true,
			false,
			false,
			false
		]);
	});

	test('owner and editors lock; only the owner unlocks; setting what is already set is allowed to both', () => {
		expect(canSetLock('owner', false, true)).toBe(true);
		expect(canSetLock('editor', false, true)).toBe(true);
		expect(canSetLock('owner', true, false)).toBe(true);
		expect(canSetLock('editor', true, false)).toBe(false);
		expect(canSetLock('editor', true, true)).toBe(true);
		expect(canSetLock('editor', false, false)).toBe(true);
		for (const [current, next] of [[false, true], [true, false], [true, true], [false, false]]) {
			expect(canSetLock('viewer', current, next)).toBe(false);
			expect(canSetLock(null, current, next)).toBe(false);
		}
	});
});
