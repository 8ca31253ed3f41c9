import { describe, expect, test } from 'vitest';
import { PresenceOwners, type PresenceEntry } from './presence-owners';

type Session = { principal?: string };
const entry = (clientId: number, state: unknown = { name: 'ada' }, clock = 1): PresenceEntry => ({ clientId, clock, state: JSON.stringify(state) });

/** PresenceOwners with the room's part played: kept entries become the current clocks. */
function room(maxClientsPerSession = 2) {
	const owners = new PresenceOwners<Session>(maxClientsPerSession);
	const clocks = new Map<number, number>();
	const admit = (session: Session, entries: PresenceEntry[]) => {
		const kept = owners.admit(session, entries, (id) => clocks.get(id));
		for (const e of kept) clocks.set(e.clientId, e.clock);
		return kept.map((e) => e.clientId);
	};
	return { owners, admit };
}

describe('PresenceOwners', () => {
	test('the first session to publish an id owns it; others are ignored for it', () => {
		const { owners, admit } = room();
		const a = { principal: 'a' };
		const b = { principal: 'b' };
		expect(admit(a, [entry(1)])).toEqual([1]);
		expect(admit(b, [entry(1, { name: 'mallory' }, 2), entry(2)])).toEqual([2]);
		expect(owners.ownerOf(1)).toBe(a);
		expect(owners.ownerOf(2)).toBe(b);
	});

	test('only the owner removes an id, and removing does not give it up', () => {
		const { admit } = room();
		const a = {};
		const b = {};
		admit(a, [entry(1)]);
		expect(admit(b, [entry(1, null, 2)])).toEqual([]);
		expect(admit(b, [entry(9, null)])).toEqual([]); // nobody's: nothing to remove
		expect(admit(a, [entry(1, null, 2)])).toEqual([1]);
		expect(admit(b, [entry(1, { name: 'b' }, 3)])).toEqual([]);
	});

	test('a session claims at most maxClientsPerSession ids', () => {
		const { owners, admit } = room(2);
		const a = {};
		expect(admit(a, [entry(1), entry(2), entry(3)])).toEqual([1, 2]);
		expect(admit(a, [entry(1, { n: 2 }, 2)])).toEqual([1]);
		expect(owners.ownerOf(3)).toBeUndefined();
	});

	test('the same person’s new session takes an id over with a newer state, never with an echo', () => {
		const { owners, admit } = room();
		const oldTab = { principal: 'u1' };
		const otherTab = { principal: 'u1' };
		const anonymous = {};
		admit(oldTab, [entry(1, {}, 5), entry(2, {}, 1)]);
		// Another tab of the same person echoes what it received (the room's clock): no change.
		expect(admit(otherTab, [entry(1, {}, 5)])).toEqual([]);
		expect(owners.ownerOf(1)).toBe(oldTab);
		expect(admit(anonymous, [entry(1, {}, 6)])).toEqual([]);
		// The reconnected tab's next change carries a newer clock: the id is its own again.
		expect(admit(otherTab, [entry(1, {}, 6)])).toEqual([1]);
		expect(owners.release(oldTab)).toEqual([2]);
		expect(owners.release(otherTab)).toEqual([1]);
		expect(owners.ownerOf(1)).toBeUndefined();
	});
});
