/**
 * Who may speak for which awareness client id in a room. An id belongs to the session that
 * first published a state for it; entries a session sends for ids it does not own are dropped
 * without a word. That is not only for attackers: the stock y-websocket client re-sends every
 * awareness change it sees, other people's included (and their removal when its 30 s timeout
 * fires), so a room that applied them would let any client overwrite or delete anyone's
 * presence. No framework here: plain data in, plain data out.
 */
export interface PresenceEntry {
	clientId: number;
	clock: number;
	/** The state as the JSON text the client sent; `null` means it left. */
	state: string;
}

export interface PresenceLimits {
	/** Largest state (UTF-8 bytes of its JSON) for one client id; a larger one closes its session. */
	maxStateBytes: number;
	/** Client ids one session may publish (the stock client uses one per document). */
	maxClientsPerSession: number;
}

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = { maxStateBytes: 4096, maxClientsPerSession: 4 };

export class PresenceOwners<S extends { principal?: string }> {
	private owners = new Map<number, S>();
	private bySession = new Map<S, Set<number>>();

	constructor(private readonly maxClientsPerSession = DEFAULT_PRESENCE_LIMITS.maxClientsPerSession) {}

	/**
	 * The entries `session` may apply, claiming ids nobody owns (up to its cap). An id owned
	 * by another session of the same person moves to this one when it brings a newer state
	 * (a tab that reconnected before its old socket timed out), instead of leaving that person
	 * invisible; an echo carries the clock the room already has, so it never moves an id.
	 * `clockOf` is the room's current clock for an id.
	 */
	admit(session: S, entries: readonly PresenceEntry[], clockOf: (clientId: number) => number | undefined): PresenceEntry[] {
		const kept: PresenceEntry[] = [];
		for (const entry of entries) {
			const owner = this.owners.get(entry.clientId);
			if (owner !== session) {
				if (entry.state === 'null') continue; // only the owner says an id has left
				if (owner !== undefined && !(this.samePerson(owner, session) && entry.clock > (clockOf(entry.clientId) ?? -1))) continue;
				if (owner === undefined && this.idsOf(session).size >= this.maxClientsPerSession) continue;
				this.claim(session, entry.clientId, owner);
			}
			kept.push(entry);
		}
		return kept;
	}

	/** Forgets a session that left; returns the ids it owned, whose states should go too. */
	release(session: S): number[] {
		const ids = [...(this.bySession.get(session) ?? [])];
		for (const id of ids) this.owners.delete(id);
		this.bySession.delete(session);
		return ids;
	}

	ownerOf(clientId: number): S | undefined {
		return this.owners.get(clientId);
	}

	private samePerson(a: S, b: S): boolean {
		return !!a.principal && a.principal === b.principal;
	}

	private claim(session: S, clientId: number, previous: S | undefined) {
		if (previous) this.bySession.get(previous)?.delete(clientId);
		this.owners.set(clientId, session);
		this.idsOf(session).add(clientId);
	}

	private idsOf(session: S): Set<number> {
		let ids = this.bySession.get(session);
		if (!ids) this.bySession.set(session, (ids = new Set()));
		return ids;
	}
}
