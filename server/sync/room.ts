import { Awareness, removeAwarenessStates, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { DEFAULT_PRESENCE_LIMITS, PresenceOwners, type PresenceEntry, type PresenceLimits } from './presence-owners';
import { behindCompaction, compactHistory, liveStructCount, STALE_DOC, stateVectorOf, staleWrite, structCount, type HistoryCompactionPolicy } from './history-compaction';
import { CLOSE, decodeAwarenessEntries, decodeMessage, encodeAwareness, encodeAwarenessEntries, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol';
import type { RemoteRoom, Replication, RoomLink } from './replication';
import type { UpdateStore } from './store';
import { UpdateGate, type GateLimits, type WriteRule } from './update-gate';

/**
 * One sync room: the single owner of a Y.Doc, its Awareness and the sessions connected to it
 * (tldraw sync-core's shape). Sessions see their transport only through `SyncSocket`, so
 * tests drive a room with plain objects.
 *
 * Durability rule: every change to the doc (a writer's update or `change()` on the server)
 * is captured from the doc's 'update' event, appended to the store through one FIFO write
 * queue, and only fanned out to other sessions once the append resolved. Replies to sync
 * step 1 wait in the same queue, so nobody is ever shown state the store does not have.
 *
 * If an append fails the room cannot tell the store and the doc apart any more, so it fails
 * as a whole: every session is closed with 1011 and the registry forgets the room. Clients
 * reconnect (y-websocket backs off), the room reloads from the store, and each writer's
 * step 2 re-sends whatever of its own edits the store is missing. Nothing diverges silently;
 * edits that never reached the store were never shown to anyone else.
 *
 * A room with a write rule (graph rooms) judges each client update before it touches the
 * doc (see UpdateGate); a refused update closes its session with 4422 and changes nothing.
 * Awareness ids belong to the session that introduced them (see PresenceOwners); a session
 * that sends a presence state over the cap is closed with 4422 too.
 *
 * A room with a history policy (graph rooms, single process) watches its doc's struct count
 * and, past the policy's threshold and at a quiet moment, compacts its history in place: see
 * history-compaction.ts. Nobody is disconnected; a client whose update can no longer be
 * placed (it was away while others edited the same keys) is closed with 4409 and starts over.
 *
 * In cluster mode the room is replicated (see Replication): each stored update is then
 * published to the other processes holding the room, and what they published is applied here
 * as already durable (never stored again), broadcast to this room's sessions and followed by
 * the gate like a server-side write. Presence travels the same way.
 */
export interface SyncSocket {
	isOpen(): boolean;
	send(data: Uint8Array): void;
	close(code: number, reason: string): void;
}

export interface SessionOptions {
	/** Sync step 2 and update messages are dropped, never applied (viewers, the audience). */
	readOnly: boolean;
	/** Whether this session's presence is relayed; off for watchers so 500 phones stay quiet. */
	awareness: boolean;
	/** Who the session acts for (a user id), so access changes can reach their sockets. */
	principal?: string;
	/** The login (or audience) session it was granted through, so a logout can reach its sockets. */
	sessionKey?: string;
}

export interface SyncSession extends Readonly<SessionOptions> {
	readonly id: number;
}

export interface SyncLog {
	warn(message: string, ...details: unknown[]): void;
	error(message: string, ...details: unknown[]): void;
}

export interface RoomOptions {
	/** Compact the stored rows into one after this many appends (default 200). */
	compactEvery?: number;
	log?: SyncLog;
	/** Told once when an append fails and the room stops; the registry forgets it. */
	onFail?: (room: SyncRoom, error: Error) => void;
	/** What clients may write into this room; without one, any well-formed update is applied. */
	writeRule?: WriteRule;
	gateLimits?: GateLimits;
	presence?: PresenceLimits;
	/**
	 * Changes that arrive while an append is in flight are stored together, as one row, by the
	 * next append (cluster mode): a burst then costs a few database round trips and stream
	 * entries instead of one each, which is what keeps replicas within a second of each other
	 * on a busy machine. Each change is still broadcast only once its row is durable.
	 */
	coalesceWrites?: boolean;
	/** When the doc's history is compacted (graph rooms in a single process): history-compaction.ts. */
	historyCompaction?: HistoryCompactionPolicy;
}

export interface LoadOptions extends RoomOptions {
	/** Sets up a doc that has no stored rows (its writes are persisted like any other). */
	initialize?: (room: string, doc: Y.Doc) => void | Promise<void>;
	/** Keeps the room in step with other processes holding it (cluster mode). */
	replication?: Replication;
}

export type RoomState = 'open' | 'failed' | 'closed';

export class RoomClosedError extends Error {
	constructor(room: string, state: RoomState, cause?: unknown) {
		super(
			state === 'failed'
				? `Sync room ${room} stopped because a change could not be saved; it reloads from the database on next use.`
				: `Sync room ${room} is closed.`,
			{ cause }
		);
		this.name = 'RoomClosedError';
	}
}

/** The origin of transactions that replay stored rows: already durable, so not appended. */
const LOADING = Symbol('loading');
/** The origin of what other processes stored (doc) or their sessions said (awareness). */
const REMOTE = Symbol('remote');
const noop = () => {};

export class SyncRoom {
	readonly doc = new Y.Doc();
	readonly awareness = new Awareness(this.doc);
	private connections = new Map<SyncSession, SyncSocket>();
	private readonly presence: PresenceOwners<SyncSession>;
	private readonly presenceLimits: PresenceLimits;
	/** Set once the stored state is loaded, for rooms with a write rule. */
	private gate: UpdateGate | null = null;
	private nextSessionId = 1;
	private roomState: RoomState = 'open';
	private failure: RoomClosedError | null = null;
	/** Tail of the FIFO write queue; never rejects, so one failed task cannot wedge it. */
	private writes: Promise<void> = Promise.resolve();
	private unloaded: Promise<void> | null = null;
	private readonly compactEvery: number;
	/** Row count at which the next compaction is queued: after `compactEvery` appends. */
	private compactAt: number;
	private compactionQueued = false;
	private readonly log: SyncLog;
	private link: RoomLink | null = null;
	/** Highest seq another process published, so a compaction here covers its rows too. */
	private remoteSeq: string | null = null;
	/** Awareness ids whose state came from another process: a local echo of them is not a claim. */
	private remoteIds = new Set<number>();
	/** Changes waiting for the queued append that will store them together (coalesceWrites). */
	private batch: Array<{ update: Uint8Array; message: Uint8Array; from: SyncSession | null; authors: readonly string[] }> = [];
	/** Who the server-side write in progress acts for (`change`'s `authors`). */
	private changeAuthors: readonly string[] = [];
	private batchQueued = false;
	/** Struct count below which the history is not looked at again. */
	private historyCheckAt = 0;
	/** Whether a compaction waits for a quiet moment. */
	private compactionDue = false;
	/** The doc's state vector at its last history compaction or load, if it has a history policy. */
	private compactedAt: Map<number, number> | null = null;
	private quietTimer: ReturnType<typeof setTimeout> | null = null;

	private constructor(
		readonly name: string,
		private readonly store: UpdateStore,
		private lastSeq: string | null,
		private storedRows: number,
		private readonly options: RoomOptions
	) {
		this.compactEvery = options.compactEvery ?? 200;
		this.compactAt = this.compactEvery + 1;
		this.log = options.log ?? console;
		this.presenceLimits = options.presence ?? DEFAULT_PRESENCE_LIMITS;
		this.presence = new PresenceOwners(this.presenceLimits.maxClientsPerSession);
		// The server has no presence of its own (the Awareness constructor gives it `{}`).
		this.awareness.setLocalState(null);
		this.doc.on('update', this.onDocUpdate);
		this.awareness.on('update', this.onAwarenessUpdate);
	}

	/** Replays the stored rows into a fresh doc; an empty room goes through `initialize`. */
	static async load(name: string, store: UpdateStore, options: LoadOptions = {}): Promise<SyncRoom> {
		// Where the other processes' changes start, noted before the rows are read: see Replication.
		const link = (await options.replication?.attach(name)) ?? null;
		let loaded: Awaited<ReturnType<UpdateStore['load']>>;
		try {
			loaded = await store.load(name);
		} catch (error) {
			link?.close();
			throw error;
		}
		const { updates, lastSeq } = loaded;
		const room = new SyncRoom(name, store, lastSeq, updates.length, options);
		room.link = link;
		try {
			if (updates.length) Y.applyUpdate(room.doc, Y.mergeUpdates(updates), LOADING);
			else if (options.initialize) await options.initialize(name, room.doc);
			if (options.writeRule) room.gate = new UpdateGate(options.writeRule, () => room.doc, options.gateLimits);
			// The stored doc may have been compacted by an earlier load of the room: judge late
			// writes against it from the start (history-compaction.ts).
			if (options.historyCompaction) room.compactedAt = stateVectorOf(room.doc);
			await room.flush();
		} catch (error) {
			room.destroy();
			throw error;
		}
		link?.start(room.remote);
		return room;
	}

	/** What the replication delivers; every entry point ignores a room that is no longer open. */
	private readonly remote: RemoteRoom = {
		applyUpdate: (update, seq) => {
			if (this.roomState !== 'open') return;
			if (seq !== null && (this.remoteSeq === null || BigInt(seq) > BigInt(this.remoteSeq))) this.remoteSeq = seq;
			Y.applyUpdate(this.doc, update, REMOTE);
		},
		applyAwareness: (update) => {
			if (this.roomState !== 'open') return;
			for (const { clientId, state } of decodeAwarenessEntries(update, Infinity).entries) {
				if (state === 'null') this.remoteIds.delete(clientId);
				else if (!this.presence.ownerOf(clientId)) this.remoteIds.add(clientId);
			}
			applyAwarenessUpdate(this.awareness, update, REMOTE);
		},
		presenceWanted: () => {
			if (this.roomState !== 'open') return;
			const ours = [...this.awareness.getStates().keys()].filter((id) => this.presence.ownerOf(id));
			if (ours.length) this.link?.publishAwareness(encodeAwarenessUpdate(this.awareness, ours));
		},
		reload: async () => {
			if (this.roomState !== 'open') return;
			const { updates, lastSeq } = await this.store.load(this.name);
			if (lastSeq !== null) this.remote.applyUpdate(Y.mergeUpdates(updates), lastSeq);
		}
	};

	get state(): RoomState {
		return this.roomState;
	}

	get sessionCount(): number {
		return this.connections.size;
	}

	join(socket: SyncSocket, options: SessionOptions): SyncSession {
		this.assertOpen();
		const session: SyncSession = {
			id: this.nextSessionId++,
			readOnly: options.readOnly,
			awareness: options.awareness,
			principal: options.principal,
			sessionKey: options.sessionKey
		};
		this.connections.set(session, socket);
		// Asking a read-only client for its state would only make it upload what we drop.
		if (!session.readOnly) this.send(session, encodeSyncStep1(this.doc));
		const present = [...this.awareness.getStates().keys()];
		if (present.length) this.send(session, encodeAwareness(this.awareness, present));
		return session;
	}

	/** One frame from a session's socket. Bad frames close that session and nothing else. */
	receive(session: SyncSession, data: Uint8Array): void {
		if (this.roomState !== 'open' || !this.connections.has(session)) return;
		const message = decodeMessage(data, { maxPresenceStateBytes: this.presenceLimits.maxStateBytes });
		switch (message.type) {
			case 'invalid':
				return this.drop(session, message.code, message.reason);
			case 'sync-step1': {
				// It missed part of the history the room has since compacted: see history-compaction.ts.
				if (this.compactedAt && behindCompaction(message.stateVector, this.compactedAt)) return this.drop(session, CLOSE.staleDoc, STALE_DOC);
				// Encoded now, sent once the writes queued before it are durable.
				const reply = encodeSyncStep2(this.doc, message.stateVector);
				this.enqueue(() => this.send(session, reply)).catch(noop);
				return;
			}
			case 'sync-step2':
			case 'sync-update':
				if (!session.readOnly) this.applyClientUpdate(session, message.update);
				return;
			case 'awareness':
				// Nobody's name, colour and cursor come near the cap; a flood of big states is closed at once.
				if (message.oversized) {
					return this.drop(session, CLOSE.refusedUpdate, `A presence state is over ${this.presenceLimits.maxStateBytes} bytes.`);
				}
				if (session.awareness) this.applyPresence(session, message.entries);
				return;
			case 'query-awareness': {
				const present = [...this.awareness.getStates().keys()];
				if (present.length) this.send(session, encodeAwareness(this.awareness, present));
				return;
			}
		}
	}

	/** The session's socket closed (or is being closed): forget it and its presence. */
	leave(session: SyncSession): void {
		if (!this.connections.delete(session)) return;
		const ids = this.presence.release(session);
		if (ids.length) removeAwarenessStates(this.awareness, ids, null);
	}

	private applyClientUpdate(session: SyncSession, update: Uint8Array) {
		let integrated: Uint8Array | null = update;
		if (this.compactedAt) {
			let stale: string | null = null;
			try {
				stale = staleWrite(this.doc, update, this.compactedAt);
			} catch {
				// Not a well-formed update: the gate (or applying it) refuses it as ever, below.
			}
			if (stale) return this.drop(session, CLOSE.staleDoc, stale);
		}
		if (this.gate) {
			const admission = this.gate.admit(update);
			if (!admission.ok) return this.drop(session, CLOSE.refusedUpdate, admission.reason);
			integrated = admission.update;
			if (!integrated) return; // waiting for what it depends on; judged once it integrates
		}
		try {
			// The origin tells onDocUpdate whom not to echo the update back to.
			Y.applyUpdate(this.doc, integrated, session);
		} catch {
			this.gate?.rebuild();
			this.drop(session, CLOSE.invalidPayload, 'The update could not be applied.');
		}
	}

	private applyPresence(session: SyncSession, entries: PresenceEntry[]) {
		const clockOf = (id: number) => this.awareness.meta.get(id)?.clock;
		// The stock client re-sends every state it sees: another process's people come back as
		// echoes at the clock we have. Only a newer state (the person moved here) claims the id.
		if (this.remoteIds.size) entries = entries.filter((e) => !this.remoteIds.has(e.clientId) || e.clock > (clockOf(e.clientId) ?? -1));
		const kept = this.presence.admit(session, entries, clockOf);
		for (const entry of kept) this.remoteIds.delete(entry.clientId);
		if (!kept.length) return;
		try {
			applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), session);
		} catch {
			this.drop(session, CLOSE.invalidPayload, 'The awareness update could not be applied.');
		}
	}

	/**
	 * A server-side write (graph API, run engine): applied in one transaction, then persisted
	 * and broadcast exactly like a client's update. Resolves once it is durable. Yjs has no
	 * rollback: if `fn` throws, whatever it changed before throwing is kept and saved.
	 * `authors`: the people it is done for, named to the store with it (see UpdateStore.append).
	 */
	async change(fn: (doc: Y.Doc) => void, origin: unknown = 'server', authors: readonly string[] = []): Promise<void> {
		this.assertOpen();
		this.changeAuthors = authors;
		try {
			this.doc.transact(() => fn(this.doc), origin);
		} finally {
			this.changeAuthors = [];
		}
		await this.durable();
	}

	read<T>(fn: (doc: Y.Doc) => T): T {
		this.assertOpen();
		return fn(this.doc);
	}

	/**
	 * Resolves when the write queue is idle: every write so far durable, and any compaction
	 * those writes triggered done. Rejects if the room failed.
	 */
	async flush(): Promise<void> {
		await this.durable();
		for (let tail = this.writes; ; tail = this.writes) {
			await tail;
			if (tail === this.writes) return;
		}
	}

	/** Resolves when every write queued so far is durable; rejects if the room failed. */
	private durable(): Promise<void> {
		return this.enqueue(noop);
	}

	/**
	 * Closes the remaining sessions, waits for the queue, compacts the stored rows into one
	 * and destroys the doc. A failed room skips the store: it must not write a doc that may
	 * hold edits the store never got in order (clients re-send those on reconnect).
	 */
	unload(code: number = CLOSE.goingAway, reason = 'Room closed.', { compact = true } = {}): Promise<void> {
		// Every caller (last release, shutdown, eviction) waits for the same, single unload.
		return (this.unloaded ??= this.unloadOnce(code, reason, compact));
	}

	private async unloadOnce(code: number, reason: string, compact: boolean) {
		const failed = this.roomState === 'failed';
		this.roomState = 'closed';
		this.link?.close();
		this.closeAll(code, reason);
		if (!failed) {
			try {
				await this.flush();
				if (compact && this.storedRows > 1) await this.compactNow(Y.encodeStateAsUpdate(this.doc));
			} catch (error) {
				this.log.error(`[sync] ${this.name}: flushing on unload failed`, error);
			}
		}
		this.destroy();
	}

	private onDocUpdate = (update: Uint8Array, origin: unknown) => {
		if (origin === LOADING) return;
		if (this.roomState !== 'open') {
			// Only receive() and change() touch the doc and both refuse unless open.
			this.log.error(`[sync] ${this.name}: update after the room stopped; not saved`);
			return;
		}
		const from = this.connections.has(origin as SyncSession) ? (origin as SyncSession) : null;
		const authors = from ? (from.principal ? [from.principal] : []) : this.changeAuthors;
		// A client's update reached the doc through the gate's shadow already; the room's own don't.
		if (!from) this.gate?.follow(update);
		const message = encodeUpdate(update);
		if (origin === REMOTE) {
			// Stored by the process that accepted it: shown to our sessions at once.
			this.broadcast(message, null);
			return;
		}
		if (this.options.coalesceWrites) {
			this.batch.push({ update, message, from, authors });
			// A task queued but not started yet will take this change too; otherwise queue one. Either
			// way it runs before anything queued after this change (a sync step 1 reply).
			if (!this.batchQueued) {
				this.batchQueued = true;
				this.enqueue(() => this.appendBatch()).catch(noop);
			}
			return;
		}
		this.enqueue(() => this.persist(update, [{ message, from, authors }])).catch(noop);
	};

	private async appendBatch() {
		this.batchQueued = false;
		const batch = this.batch;
		this.batch = [];
		if (!batch.length) return;
		const update = batch.length === 1 ? batch[0].update : Y.mergeUpdates(batch.map((b) => b.update));
		await this.persist(update, batch);
	}

	/**
	 * Stores one update (one change, or a batch merged), then publishes it to the other processes
	 * and shows it to this process's sessions: nobody sees what the store does not have.
	 */
	private async persist(update: Uint8Array, deliveries: ReadonlyArray<{ message: Uint8Array; from: SyncSession | null; authors: readonly string[] }>) {
		let seq: string;
		try {
			seq = this.lastSeq = await this.store.append(this.name, update, authorsOf(deliveries));
		} catch (error) {
			this.fail(error);
			throw error;
		}
		this.link?.publishUpdate(update, seq);
		this.storedRows++;
		for (const { message, from } of deliveries) this.broadcast(message, from);
		if (this.storedRows >= this.compactAt && !this.compactionQueued) this.scheduleCompaction();
		this.watchHistory();
	}

	/**
	 * After each stored change: is the history due for compaction? Counting structs is cheap;
	 * the live count (a walk over every struct) is only taken when the total passes the last
	 * threshold. A due compaction waits for `quietMs` without changes, so that writes racing
	 * each other in the ordinary way have all arrived (history-compaction.ts), unless the doc
	 * is past twice its threshold.
	 */
	private watchHistory() {
		const policy = this.options.historyCompaction;
		if (!policy || this.roomState !== 'open') return;
		const count = structCount(this.doc);
		if (!this.compactionDue) {
			if (count < this.historyCheckAt) return;
			const threshold = Math.max(policy.minStructs, policy.factor * liveStructCount(this.doc));
			if (count < threshold) return void (this.historyCheckAt = threshold);
			this.compactionDue = true;
			this.historyCheckAt = threshold;
		}
		if (count >= 2 * this.historyCheckAt) return this.compactHistoryNow();
		if (this.quietTimer) clearTimeout(this.quietTimer);
		this.quietTimer = setTimeout(() => this.compactHistoryNow(), policy.quietMs);
		this.quietTimer.unref?.();
	}

	/**
	 * Compacts the doc and its gate's shadow at once (no await between, so no update lands on
	 * one and not the other), then stores the compacted state in place of the rows it covers,
	 * from the write queue, so it follows every append made so far. Were rows stored by then
	 * that it does not cover, they stay, and the rows keep the full history until next time.
	 */
	private compactHistoryNow() {
		if (this.quietTimer) clearTimeout(this.quietTimer);
		this.quietTimer = null;
		this.compactionDue = false;
		if (this.roomState !== 'open') return;
		const before = structCount(this.doc);
		const removed = compactHistory(this.doc);
		// Nothing to remove (the history is live content, or updates are pending): look again
		// once it has grown by another threshold, not at every change.
		this.historyCheckAt = removed ? 0 : before + this.options.historyCompaction!.minStructs;
		if (!removed) return;
		this.compactedAt = stateVectorOf(this.doc);
		this.gate?.rebuild();
		this.log.warn(`[sync] ${this.name}: history compacted: ${before} → ${before - removed} structs`);
		this.enqueue(async () => {
			const upto = this.compactionSeq();
			if (upto === null) return;
			if (await this.store.replace(this.name, Y.encodeStateAsUpdate(this.doc), upto)) {
				this.storedRows = 1;
				this.compactAt = this.compactEvery + 1;
			}
		}).catch((error) => this.log.warn(`[sync] ${this.name}: storing the compacted history failed; the rows keep it whole`, error));
	}

	private onAwarenessUpdate = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	) => {
		const from = this.connections.has(origin as SyncSession) ? (origin as SyncSession) : null;
		const changed = [...added, ...updated, ...removed];
		// Presence is not persisted, so it needs no queue.
		this.broadcast(encodeAwareness(this.awareness, changed), from);
		// Other processes time out states themselves, and what they sent is theirs to repeat.
		if (this.link && origin !== REMOTE && origin !== 'timeout') this.link.publishAwareness(encodeAwarenessUpdate(this.awareness, changed));
	};

	/**
	 * The state to compact is encoded now, when it equals exactly the rows appended by the
	 * tasks ahead of it in the queue; `lastSeq` is read when it runs, after those appends.
	 */
	private scheduleCompaction() {
		const merged = Y.encodeStateAsUpdate(this.doc);
		this.compactionQueued = true;
		this.enqueue(() => this.compactNow(merged)).finally(() => (this.compactionQueued = false)).catch(noop);
	}

	private async compactNow(merged: Uint8Array) {
		// Other processes' rows up to the highest seq seen may be merged in too: the store merges
		// the rows it replaces with `merged`, so rows this doc lacks are never lost.
		const upto = this.compactionSeq();
		if (upto === null) return;
		try {
			await this.store.compact(this.name, merged, upto);
			this.link?.compacted(upto);
			this.storedRows = 1;
			this.compactAt = this.compactEvery + 1;
		} catch (error) {
			// The rows are intact (compaction is one transaction); retry after another batch.
			this.compactAt = this.storedRows + this.compactEvery;
			this.log.warn(`[sync] ${this.name}: compaction failed; will retry`, error);
		}
	}

	/** The highest seq this doc holds: its own last row, or a later one another process published. */
	private compactionSeq(): string | null {
		return this.remoteSeq !== null && (this.lastSeq === null || BigInt(this.remoteSeq) > BigInt(this.lastSeq)) ? this.remoteSeq : this.lastSeq;
	}

	/** Runs `task` after every task queued before it; refuses to run once the room failed. */
	private enqueue(task: () => unknown): Promise<void> {
		const run = this.writes.then(async () => {
			if (this.failure) throw this.failure;
			await task();
		});
		this.writes = run.then(noop, noop);
		return run;
	}

	private fail(error: unknown) {
		if (this.roomState !== 'open') return;
		this.failure = new RoomClosedError(this.name, 'failed', error);
		this.roomState = 'failed';
		this.log.error(`[sync] ${this.name}: could not save an update; closing the room`, error);
		this.closeAll(CLOSE.internalError, 'Could not save changes. Reconnecting resends them.');
		this.options.onFail?.(this, this.failure);
	}

	private broadcast(message: Uint8Array, except: SyncSession | null) {
		for (const session of this.connections.keys()) if (session !== except) this.send(session, message);
	}

	private send(session: SyncSession, message: Uint8Array) {
		const socket = this.connections.get(session);
		if (!socket?.isOpen()) return; // its transport will call leave()
		try {
			socket.send(message);
		} catch (error) {
			this.log.warn(`[sync] ${this.name}: send failed; closing session ${session.id}`, error);
			this.drop(session, CLOSE.internalError, 'Send failed.');
		}
	}

	/**
	 * Closes the sessions that `match` picks (e.g. a member just removed or demoted). With the
	 * default code the stock client reconnects, and the upgrade decides again with the new access.
	 */
	disconnect(match: (session: SyncSession) => boolean, reason: string, code: number = CLOSE.accessChanged): number {
		const sessions = [...this.connections.keys()].filter(match);
		for (const session of sessions) this.drop(session, code, reason);
		return sessions.length;
	}

	private drop(session: SyncSession, code: number, reason: string) {
		const socket = this.connections.get(session);
		if (!socket) return;
		this.leave(session);
		this.log.warn(`[sync] ${this.name}: closing session ${session.id} (${code}): ${reason}`);
		closeQuietly(socket, code, reason);
	}

	private closeAll(code: number, reason: string) {
		const sockets = [...this.connections.values()];
		this.connections.clear();
		for (const socket of sockets) closeQuietly(socket, code, reason);
	}

	private assertOpen() {
		if (this.roomState !== 'open') throw this.failure ?? new RoomClosedError(this.name, this.roomState);
	}

	private destroy() {
		if (this.quietTimer) clearTimeout(this.quietTimer);
		this.quietTimer = null;
		this.link?.close();
		this.doc.off('update', this.onDocUpdate);
		this.awareness.off('update', this.onAwarenessUpdate);
		this.awareness.destroy(); // clears its outdated-state interval
		this.gate?.destroy();
		this.doc.destroy();
	}
}

/** Who the changes in one append were made by: their sessions' principals, or whom a server write named; each once. */
function authorsOf(deliveries: ReadonlyArray<{ authors: readonly string[] }>): string[] {
	return [...new Set(deliveries.flatMap((d) => d.authors))];
}

function closeQuietly(socket: SyncSocket, code: number, reason: string) {
	try {
		socket.close(code, reason);
	} catch {
		// Already closed; nothing left to tell it.
	}
}
