import { describe, expect, test } from 'vitest';
import { AppError, forbidden, notFound } from '../errors';
import type { NetworkRole } from './access';
import { authorizeRoom, connectionKey, decide, parseRoom, principalFor, principalId, type NetworkStanding, type Principal } from './room-access';

const graph = parseRoom('net1')!;
const feed = parseRoom('net1/feed')!;
const alice = { id: 'alice', is_admin: false };
const standing = (role: NetworkRole, locked = false, throughVisibility = false): NetworkStanding => ({ role, locked, throughVisibility });
const grant = (write: boolean, presence: boolean, basis: string) => ({ ok: true, write, presence, basis });

describe('room names', () => {
	test('the graph room and the feed room; any other shape is no room', () => {
		expect(parseRoom('net1')).toEqual({ name: 'net1', networkId: 'net1', kind: 'graph' });
		expect(parseRoom('net1/feed')).toEqual({ name: 'net1/feed', networkId: 'net1', kind: 'feed' });
		for (const name of ['', 'net1/', 'net1/chat', 'net1/feed/x', '../net1', 'net 1', 'a'.repeat(65)]) expect(parseRoom(name), name).toBeNull();
	});
});

describe('the principal a connection is made as', () => {
	const audience = { id: 's1', networkId: 'net1', revoked: false };
	test('a kiosk token is the only credential looked at', () => {
		const p = principalFor(feed, { user: alice, session: { id: 'login' }, audience, kiosk: { screenId: 'k1', networkId: 'net1' } });
		expect(p).toEqual({ kind: 'kiosk', screenId: 'k1', networkId: 'net1' });
		expect([principalId(p), connectionKey(p)]).toEqual(['kiosk:k1', 'kiosk:k1']);
	});
	test('an audience session of the network, for its feed room only, before the login', () => {
		const p = principalFor(feed, { user: alice, session: { id: 'login' }, audience });
		expect([principalId(p), connectionKey(p)]).toEqual(['audience:s1', 'audience:s1']);
		expect(principalFor(graph, { user: alice, session: { id: 'login' }, audience })).toMatchObject({ kind: 'user', loginSession: 'login' });
		expect(principalFor(feed, { user: null, audience: { ...audience, networkId: 'net2' } })).toEqual({ kind: 'anonymous', removedFromAudience: false });
	});
	test('a removed audience session falls back to the login or to anonymous, remembering why', () => {
		const removed = { ...audience, revoked: true };
		expect(principalFor(feed, { user: null, audience: removed })).toEqual({ kind: 'anonymous', removedFromAudience: true });
		expect(principalFor(feed, { user: alice, audience: removed })).toMatchObject({ kind: 'user', removedFromAudience: true });
	});
	test('users count under their login session, anonymous under no session at all', () => {
		const user = principalFor(graph, { user: alice, session: { id: 'login' }, audience: null });
		expect([principalId(user), connectionKey(user)]).toEqual(['alice', 'login']);
		const anonymous = principalFor(graph, { user: null, audience: null });
		expect([principalId(anonymous), connectionKey(anonymous)]).toEqual([undefined, null]);
	});
});

describe('the policy', () => {
	const user: Principal = { kind: 'user', user: alice, loginSession: 'login', removedFromAudience: false };
	const anonymous: Principal = { kind: 'anonymous', removedFromAudience: false };

	test('the graph room: owner and editors write and are present; locked, editors read and stay present', () => {
		expect(decide(graph, user, standing('owner'))).toEqual(grant(true, true, 'member'));
		expect(decide(graph, user, standing('editor'))).toEqual(grant(true, true, 'member'));
		expect(decide(graph, user, standing('viewer'))).toEqual(grant(false, false, 'member'));
		expect(decide(graph, user, standing('owner', true))).toEqual(grant(true, true, 'member'));
		expect(decide(graph, user, standing('editor', true))).toEqual(grant(false, true, 'member'));
	});

	test('the feed room is read-only for everyone, locked or not, with no presence', () => {
		for (const role of ['owner', 'editor', 'viewer'] as const)
			for (const locked of [false, true]) expect(decide(feed, user, standing(role, locked))).toEqual(grant(false, false, 'member'));
	});

	test('in through visibility (logged in or not): both rooms, read-only, no presence, resting on the visibility', () => {
		for (const who of [user, anonymous]) {
			expect(decide(graph, who, standing('viewer', false, true))).toEqual(grant(false, false, 'visibility'));
			expect(decide(feed, who, standing('viewer', false, true))).toEqual(grant(false, false, 'visibility'));
		}
	});

	test('refusals: anonymous are asked to log in, users find nothing, removed audience are told', () => {
		expect(decide(graph, anonymous, null)).toMatchObject({ ok: false, status: 401 });
		expect(decide(feed, anonymous, null)).toMatchObject({ ok: false, status: 401 });
		expect(decide(feed, user, null)).toMatchObject({ ok: false, status: 404 });
		expect(decide(feed, { ...anonymous, removedFromAudience: true }, null)).toEqual({ ok: false, status: 403, message: 'You were removed from this event.' });
	});

	test('audience sessions and kiosk screens read their own network’s feed; kiosk screens nothing else', () => {
		expect(decide(feed, { kind: 'audience', sessionId: 's1' }, null)).toEqual(grant(false, false, 'audience'));
		const kiosk: Principal = { kind: 'kiosk', screenId: 'k1', networkId: 'net1' };
		expect(decide(feed, kiosk, null)).toEqual(grant(false, false, 'kiosk'));
		expect(decide(graph, kiosk, null)).toMatchObject({ ok: false, status: 403 });
		expect(decide(parseRoom('net2/feed')!, kiosk, null)).toMatchObject({ ok: false, status: 403 });
	});

	test('the networks domain is asked only for users and anonymous; its 404 is "may not see it", other errors stay errors', async () => {
		const asked: Array<string | null> = [];
		const networks = {
			async access(_id: string, viewer: { id: string } | null) {
				asked.push(viewer?.id ?? null);
				if (!viewer) throw notFound();
				if (viewer.id === 'broken') throw forbidden('not a visibility answer');
				return { network: { locked: false }, role: 'editor' as const, throughVisibility: false };
			}
		};
		expect(await authorizeRoom(networks, graph, user)).toEqual(grant(true, true, 'member'));
		expect(await authorizeRoom(networks, graph, anonymous)).toMatchObject({ ok: false, status: 401 });
		expect(await authorizeRoom(networks, feed, { kind: 'audience', sessionId: 's1' })).toMatchObject({ ok: true });
		expect(asked).toEqual(['alice', null]);
		await expect(authorizeRoom(networks, graph, { ...user, user: { id: 'broken', is_admin: false } })).rejects.toBeInstanceOf(AppError);
	});
});
