import { describe, expect, test } from 'vitest';
import { PresenceOwners, type PresenceEntry } from './presence-owners';

type Session = { principal?: string };
const entry = (clientId: number, state: unknown = { name: 'ada' }, clock = 1): PresenceEntry => ({ clientId, clock, state: JSON.stringify(state) });
const ids = (kept: PresenceEntry[]) => kept.map((e) => e.clientId);

describe('PresenceOwners', () => {
	test('the first session to publish an id owns it; others are ignored for it', () => {
		const owners = new PresenceOwners<Session>(2);
		const a = { principal: 'a' };
		const b = { principal: 'b' };
		expect(ids(owners.admit(a, [entry(1)]))).toEqual([1]);
		expect(ids(owners.admit(b, [entry(1, { name: 'mallory' }, 2), entry(2)]))).toEqual([2]);
		expect(owners.ownerOf(1)).toBe(a);
		expect(owners.ownerOf(2)).toBe(b);
	});

	test('only the owner removes an id, and removing does not give it up', () => {
		const owners = new PresenceOwners<Session>(2);
		const a = {};
		const b = {};
		owners.admit(a, [entry(1)]);
		expect(ids(owners.admit(b, [entry(1, null, 2)]))).toEqual([]);
		expect(ids(owners.admit(b, [entry(9, null)]))).toEqual([]); // nobody's: nothing to remove
		expect(ids(owners.admit(a, [entry(1, null, 2)]))).toEqual([1]);
		expect(ids(owners.admit(b, [entry(1, { name: 'b' }, 3)]))).toEqual([]);
	});

	test('a session claims at most maxClientsPerSession ids', () => {
		const owners = new PresenceOwners<Session>(2);
		const a = {};
		expect(ids(owners.admit(a, [entry(1), entry(2), entry(3)]))).toEqual([1, 2]);
		expect(ids(owners.admit(a, [entry(1, { n: 2 }, 2)]))).toEqual([1]);
		expect(owners.ownerOf(3)).toBeUndefined();
	});

	test('the same person’s new session takes an id over; release returns only what is still owned', () => {
		const owners = new PresenceOwners<Session>(2);
		const oldTab = { principal: 'u1' };
		const newTab = { principal: 'u1' };
		const anonymous = {};
		owners.admit(oldTab, [entry(1), entry(2)]);
		expect(ids(owners.admit(anonymous, [entry(1, {}, 2)]))).toEqual([]);
		expect(ids(owners.admit(newTab, [entry(1, {}, 2)]))).toEqual([1]);
		expect(owners.release(oldTab)).toEqual([2]);
		expect(owners.release(newTab)).toEqual([1]);
		expect(owners.ownerOf(1)).toBeUndefined();
	});
});
