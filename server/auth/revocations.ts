/**
 * Access taken away, remembered for a minute, for connections that were authorised before it
 * and are still being let in (a feed room loading, a sync room being acquired). Ending the
 * connections that are open is not enough: one authorised a moment before a logout or a
 * removal would otherwise join afterwards and keep what was taken. Read `revision` before
 * authorising; once the connection has joined, ask `since` in the same synchronous step.
 */
export interface Revocation<T> {
	seq: number;
	at: number;
	/** Where it applies (a network, a room); null: everywhere (a logout). */
	scope: string | null;
	match: (subject: T) => boolean;
	reason: string;
	/** A close code for sockets, when it is not the usual one. */
	code?: number;
}

/** A connection older than the memory: whether its access was taken cannot be told, so it retries. */
export const FORGOTTEN = 'forgotten' as const;

export class RevocationLog<T> {
	private entries: Array<Revocation<T>> = [];
	private seq = 0;
	/** Revocations up to this seq are forgotten. */
	private forgottenThrough = 0;

	constructor(
		private readonly memoryMs = 60_000,
		private readonly now: () => number = Date.now
	) {}

	/** Counts revocations so far. */
	get revision(): number {
		return this.seq;
	}

	record(scope: string | null, match: (subject: T) => boolean, reason: string, code?: number): void {
		const now = this.now();
		while (this.entries.length && now - this.entries[0].at > this.memoryMs) this.forgottenThrough = this.entries.shift()!.seq;
		this.entries.push({ seq: ++this.seq, at: now, scope, match, reason, code });
	}

	/** The first revocation after `since` that takes this subject's access in `scope`, or null. */
	since(since: number, scope: string, subject: T): Revocation<T> | typeof FORGOTTEN | null {
		if (since < this.forgottenThrough) return FORGOTTEN;
		for (const r of this.entries) {
			if (r.seq > since && (r.scope === null || r.scope === scope) && r.match(subject)) return r;
		}
		return null;
	}
}
