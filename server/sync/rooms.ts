import type * as Y from 'yjs';
import { RevocationLog } from '../auth/revocations';
import type { ControlBus } from '../cluster/bus';
import { structCount, type HistoryCompactionPolicy } from './history-compaction';
import type { PresenceLimits } from './presence-owners';
import { CLOSE } from './protocol';
import { SyncRoom, type LoadOptions, type SyncLog, type SyncSession } from './room';
import type { Replication } from './replication';
import { sessionMatches, type SessionMatch } from './session-match';
import type { UpdateStore } from './store';
import type { GateLimits, WriteRule } from './update-gate';

/**
 * The process's rooms by name. A room is loaded on first use (concurrent users share one
 * load), stays while anyone holds it (a connected session, an API write, a running engine),
 * and is flushed, compacted and destroyed when the last holder lets go. A reload of the same
 * name waits for that unload to finish, so it always reads a store with every row written.
 */
export interface SyncRoomsOptions {
	store: UpdateStore;
	/** Sets up rooms that have nothing stored yet (e.g. meta.schemaVersion for a graph). */
	initialize?: (room: string, doc: Y.Doc) => void | Promise<void>;
	/** Stored rows are compacted after this many appends (default 200). */
	compactEvery?: number;
	log?: SyncLog;
	/** What clients may write into a room, by name (a fresh rule per loaded room); none: anything well-formed. */
	writeRule?: (room: string) => WriteRule | undefined;
	gateLimits?: GateLimits;
	presence?: PresenceLimits;
	/**
	 * Which rooms compact their history when it grows (graph rooms), and when: see
	 * history-compaction.ts. Never in cluster mode, where another process's copy of the room
	 * would accept the late writes this one refuses.
	 */
	historyCompaction?: (room: string) => HistoryCompactionPolicy | undefined;
	/** Cluster mode: keeps each room in step with the same room in other processes. */
	replication?: Replication;
	/**
	 * Cluster mode: disconnects and evictions are published here so they reach every process's
	 * sessions; each process acts on them itself. `processId` tells our own messages apart.
	 */
	control?: { bus: ControlBus; processId: string };
}

/** A hold on a loaded room. Release it exactly once; the last release unloads the room. */
export interface RoomLease {
	readonly room: SyncRoom;
	release(): Promise<void>;
}

/** The room could not be loaded, or the server is shutting down: refuse, try again later. */
export class RoomUnavailableError extends Error {
	constructor(
		readonly room: string,
		message: string,
		options?: { cause?: unknown }
	) {
		super(message, options);
		this.name = 'RoomUnavailableError';
	}
}

interface Entry {
	name: string;
	holds: number;
	loading: Promise<SyncRoom>;
}

/** What the control bus carries (see SyncRoomsOptions.control). */
interface DisconnectMessage {
	/** Room names; null: every room (a logout). */
	names: string[] | null;
	match: SessionMatch;
	reason: string;
	code?: number;
}
interface EvictMessage {
	names: string[];
	reason: string;
}
const TOPIC = { disconnect: 'rooms.disconnect', evict: 'rooms.evict' } as const;

export class SyncRooms {
	private entries = new Map<string, Entry>();
	/** Per room name, the unloads still writing; a new load of that name waits for them. */
	private unloading = new Map<string, Promise<void>>();
	private closing: Promise<void> | null = null;
	/** Evicted names (deleted networks): refused for the life of the process; ids are never reused. */
	private evicted = new Set<string>();
	/** Recent disconnects, for sockets authorised before them and still joining. */
	readonly revocations = new RevocationLog<SyncSession>();
	private readonly log: SyncLog;
	private readonly unsubscribe: Array<() => void> = [];

	constructor(private readonly options: SyncRoomsOptions) {
		this.log = options.log ?? console;
		const control = options.control;
		if (control) {
			// Our own messages were acted on before they were published.
			const fromOthers =
				<T>(handler: (message: T) => unknown) =>
				(message: T, from: string) => {
					if (from === control.processId) return;
					Promise.resolve(handler(message)).catch((error) => this.log.error('[sync] a control message failed', error));
				};
			this.unsubscribe.push(
				control.bus.subscribe<DisconnectMessage>(
					TOPIC.disconnect,
					fromOthers(({ names, match, reason, code }) =>
						names ? this.disconnectHere(names, match, reason) : this.disconnectEverywhereHere(match, reason, code)
					)
				),
				control.bus.subscribe<EvictMessage>(TOPIC.evict, fromOthers(({ names, reason }) => this.evictHere(names, reason)))
			);
		}
	}

	/** Loads (or joins the load of) a room and holds it until the lease is released. */
	async acquire(name: string): Promise<RoomLease> {
		if (this.closing) throw new RoomUnavailableError(name, 'The server is shutting down.');
		if (this.evicted.has(name)) throw new RoomUnavailableError(name, `Room ${name} was deleted.`);
		const entry = this.entries.get(name) ?? this.open(name);
		entry.holds++;
		let room: SyncRoom;
		try {
			room = await entry.loading;
		} catch (error) {
			entry.holds--;
			throw new RoomUnavailableError(name, `Room ${name} could not be loaded; try again shortly.`, { cause: error });
		}
		if (room.state !== 'open' || this.closing) {
			// It failed or the server began closing between the load and now.
			await this.release(entry);
			throw new RoomUnavailableError(name, `Room ${name} is not available; try again shortly.`);
		}
		let released = false;
		return {
			room,
			release: () => {
				if (released) return Promise.resolve();
				released = true;
				return this.release(entry);
			}
		};
	}

	/** Runs `fn` on the room, loading it if needed and unloading it after if nobody is connected. */
	async withRoom<T>(name: string, fn: (room: SyncRoom) => T | Promise<T>): Promise<T> {
		const lease = await this.acquire(name);
		try {
			return await fn(lease.room);
		} finally {
			await lease.release();
		}
	}

	/**
	 * For deleting a network: closes the rooms' sessions with 4410 (the stock client stops
	 * reconnecting), waits until their queued writes have landed, and refuses the names from
	 * now on. Afterwards nothing will write those rooms again, so the caller can delete their
	 * rows. Nothing is compacted: the rows are about to go.
	 */
	async evict(names: string[], reason = 'This network was deleted.'): Promise<void> {
		// Here first: the names are refused from this moment (evictHere marks them synchronously).
		const here = this.evictHere(names, reason);
		await this.publish<EvictMessage>(TOPIC.evict, { names, reason });
		await here;
		await this.options.replication?.deleted?.(names);
	}

	private async evictHere(names: string[], reason: string): Promise<void> {
		await Promise.all(
			names.map(async (name) => {
				this.evicted.add(name);
				const entry = this.entries.get(name);
				if (entry) {
					this.forget(entry);
					const room = await entry.loading.catch(() => null);
					await room?.unload(CLOSE.gone, reason, { compact: false });
				}
				await this.unloading.get(name);
			})
		);
	}

	/**
	 * Closes the matching sessions in those of the named rooms that are loaded; returns how many.
	 * Sockets authorised before this and still joining are closed as they join (`revocations`).
	 */
	async disconnect(names: string[], match: SessionMatch, reason = 'Your access to this network changed.'): Promise<number> {
		// Here first: the revocation is recorded synchronously, before anything is awaited.
		const here = this.disconnectHere(names, match, reason);
		await this.publish<DisconnectMessage>(TOPIC.disconnect, { names, match, reason });
		return here;
	}

	private async disconnectHere(names: string[], description: SessionMatch, reason: string): Promise<number> {
		const match = (session: SyncSession) => sessionMatches(description, session);
		for (const name of names) this.revocations.record(name, match, reason);
		let closed = 0;
		for (const name of names) {
			const room = await this.entries.get(name)?.loading.catch(() => null);
			if (room?.state === 'open') closed += room.disconnect(match, reason);
		}
		return closed;
	}

	/**
	 * Closes the matching sessions in every loaded room (a logout reaches all of that session's
	 * sockets), with `code` (e.g. a final 4401 so the client stops reconnecting); returns how many.
	 */
	async disconnectEverywhere(match: SessionMatch, reason: string, code?: number): Promise<number> {
		const here = this.disconnectEverywhereHere(match, reason, code);
		await this.publish<DisconnectMessage>(TOPIC.disconnect, { names: null, match, reason, code });
		return here;
	}

	private async disconnectEverywhereHere(description: SessionMatch, reason: string, code?: number): Promise<number> {
		const match = (session: SyncSession) => sessionMatches(description, session);
		this.revocations.record(null, match, reason, code);
		let closed = 0;
		for (const entry of [...this.entries.values()]) {
			const room = await entry.loading.catch(() => null);
			if (room?.state === 'open') closed += room.disconnect(match, reason, code);
		}
		return closed;
	}

	/** Whether a room is loaded or loading (for tests and diagnostics). */
	isLoaded(name: string): boolean {
		return this.entries.has(name);
	}

	get size(): number {
		return this.entries.size;
	}

	/**
	 * Diagnostics (bench:soak's probe): per loaded room, its sessions and how many Yjs structs its
	 * doc holds, the figure that grows with a doc's history (tombstones included).
	 */
	async stats(): Promise<Array<{ name: string; sessions: number; structs: number }>> {
		const rooms = await Promise.all([...this.entries.values()].map((entry) => entry.loading.catch(() => null)));
		return rooms
			.filter((room): room is SyncRoom => room?.state === 'open')
			.map((room) => ({ name: room.name, sessions: room.sessionCount, structs: room.read(structCount) }));
	}

	/**
	 * Shutdown: refuses new holders, closes every session with 1001, flushes and compacts every
	 * room and waits for unloads in progress. Leaves no timers behind.
	 */
	close(): Promise<void> {
		return (this.closing ??= (async () => {
			for (const unsubscribe of this.unsubscribe) unsubscribe();
			const entries = [...this.entries.values()];
			this.entries.clear();
			await Promise.all(
				entries.map((e) => e.loading.then((room) => room.unload(CLOSE.goingAway, 'Server shutting down.'), () => {}))
			);
			while (this.unloading.size) await Promise.all(this.unloading.values());
		})());
	}

	private open(name: string): Entry {
		const previousUnload = this.unloading.get(name) ?? Promise.resolve();
		const entry: Entry = {
			name,
			holds: 0,
			loading: previousUnload.then(() =>
				SyncRoom.load(name, this.options.store, {
					initialize: this.options.initialize,
					compactEvery: this.options.compactEvery,
					log: this.log,
					writeRule: this.options.writeRule?.(name),
					gateLimits: this.options.gateLimits,
					presence: this.options.presence,
					replication: this.options.replication,
					// Replicated rooms store bursts together: see RoomOptions.coalesceWrites.
					coalesceWrites: !!this.options.replication,
					historyCompaction: this.options.replication ? undefined : this.options.historyCompaction?.(name),
					// A failed room is forgotten at once so the next joiner reloads from the store;
					// its holders still release it, which destroys it.
					onFail: () => this.forget(entry)
				})
			)
		};
		this.entries.set(name, entry);
		entry.loading.catch((error) => {
			this.log.error(`[sync] ${name}: loading failed`, error);
			this.forget(entry);
		});
		return entry;
	}

	private release(entry: Entry): Promise<void> {
		if (--entry.holds > 0) return Promise.resolve();
		const current = this.entries.get(entry.name) === entry;
		this.forget(entry);
		const done = entry.loading
			.then((room) => room.unload(), () => {})
			.catch((error) => this.log.error(`[sync] ${entry.name}: unloading failed`, error));
		if (!current) return done; // failed, reset or already closed: it has nothing left to write
		return this.trackUnload(entry.name, done);
	}

	/** A load of `name` waits for `done`, the last writes of the room it replaces. */
	private trackUnload(name: string, done: Promise<void>): Promise<void> {
		const previous = this.unloading.get(name);
		const tracked: Promise<void> = (previous ? Promise.all([previous, done]) : done).then(() => {
			if (this.unloading.get(name) === tracked) this.unloading.delete(name);
		});
		this.unloading.set(name, tracked);
		return tracked;
	}

	/**
	 * Tells the other processes (pub/sub does not wait for them), so their sockets close while
	 * this process closes its own. A failed publish is logged, not thrown: this process's
	 * part still happens, and the durable change (a role, a deletion) is already stored.
	 */
	private async publish<T>(topic: string, message: T): Promise<void> {
		if (!this.options.control) return;
		try {
			await this.options.control.bus.publish(topic, message);
		} catch (error) {
			this.log.error(`[sync] publishing ${topic} failed`, error);
		}
	}

	private forget(entry: Entry) {
		if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
	}
}
