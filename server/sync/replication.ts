/**
 * How a room keeps in step with the same room held by other processes (cluster mode; the
 * single process has none). The room stores every accepted update first, then publishes it;
 * what other processes published arrives through `RemoteRoom` and is applied as already
 * durable: never stored again, broadcast to this process's sessions.
 *
 * Load order without a gap: `attach` notes where the room's log of changes ends *before* the
 * room reads its rows, and `start` follows the log from there. Anything published meanwhile
 * is both in the rows and in the log; Yjs updates are idempotent, so the overlap is harmless.
 */
export interface Replication {
	attach(room: string): Promise<RoomLink>;
	/** The rooms were deleted (a network): their logs go too. */
	deleted?(rooms: string[]): Promise<void>;
}

export interface RoomLink {
	/** Begins delivering what other processes publish, from the position `attach` noted. */
	start(target: RemoteRoom): void;
	/** A stored update (its row's seq), for the other processes. */
	publishUpdate(update: Uint8Array, seq: string): void;
	/** An awareness update of this process's sessions. */
	publishAwareness(update: Uint8Array): void;
	/**
	 * Rows up to `uptoSeq` were compacted: the log's old entries may go. A process that had not
	 * read them yet is told to `reload` instead.
	 */
	compacted(uptoSeq: string): void;
	/** Stops delivering; the room is going. */
	close(): void;
}

/** What a link delivers into its room. */
export interface RemoteRoom {
	/** Another process's stored update, with its row's seq. */
	applyUpdate(update: Uint8Array, seq: string | null): void;
	applyAwareness(update: Uint8Array): void;
	/** Another process just started holding the room: tell it who is here. */
	presenceWanted(): void;
	/** Entries this process had not read were trimmed away: catch up from the store. */
	reload(): Promise<void>;
}
