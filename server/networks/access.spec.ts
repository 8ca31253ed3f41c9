import { describe, expect, test } from 'vitest';
import { canEdit, canManage, resolveRole, strongerRole } from './access';

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

test('edit and manage rights follow the role table', () => {
	expect([canEdit('owner'), canEdit('editor'), canEdit('viewer'), canEdit(null)]).toEqual([true, true, false, false]);
	expect([canManage('owner'), canManage('editor'), canManage('viewer')]).toEqual([true, false, false]);
});

test('accepting an invite never demotes', () => {
	expect(strongerRole('editor', 'viewer')).toBe('editor');
	expect(strongerRole('viewer', 'editor')).toBe('editor');
	expect(strongerRole('viewer', 'viewer')).toBe('viewer');
});
