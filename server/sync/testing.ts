import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { PresenceEntry } from './presence-owners';
import { MESSAGE_AWARENESS, MESSAGE_SYNC, encodeAwareness, encodeAwarenessEntries, encodeSyncStep1, encodeUpdate } from './protocol';
import type { SessionOptions, SyncRoom, SyncSession, SyncSocket } from './room';
import { MemoryUpdateStore } from './store';

/**
 * Test doubles for rooms (used by the specs beside this file): sockets that record what
 * they were sent, a client that plays those frames into its own doc, and stores that can
 * be held back or made to fail.
 */
export class FakeSocket implements SyncSocket {
	frames: Uint8Array[] = [];
	closed: { code: number; reason: string } | null = null;
	isOpen() {
		return this.closed === null;
	}
	send(data: Uint8Array) {
		this.frames.push(data);
	}
	close(code: number, reason: string) {
		this.closed ??= { code, reason };
	}
}

export class FakeClient {
	readonly doc = new Y.Doc();
	readonly awareness = new Awareness(this.doc);
	readonly socket = new FakeSocket();
	readonly session: SyncSession;
	private played = 0;

	constructor(
		readonly room: SyncRoom,
		options: SessionOptions = { readOnly: false, awareness: true }
	) {
		this.session = room.join(this.socket, options);
	}

	/** Applies every frame received since the last call; returns their message types. */
	pump(): string[] {
		const kinds: string[] = [];
		for (; this.played < this.socket.frames.length; this.played++) {
			const decoder = decoding.createDecoder(this.socket.frames[this.played]);
			const type = decoding.readVarUint(decoder);
			if (type === MESSAGE_SYNC) {
				const step = syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), this.doc, 'server');
				kinds.push(['step1', 'step2', 'update'][step]);
			} else if (type === MESSAGE_AWARENESS) {
				applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), 'server');
				kinds.push('awareness');
			}
		}
		return kinds;
	}

	/** Makes a local change and sends it as the stock client would (an update message). */
	edit(fn: (doc: Y.Doc) => void): Uint8Array {
		const before = Y.encodeStateVector(this.doc);
		fn(this.doc);
		const update = Y.encodeStateAsUpdate(this.doc, before);
		this.room.receive(this.session, encodeUpdate(update));
		return update;
	}

	set(key: string, value: unknown) {
		return this.edit((doc) => doc.getMap('m').set(key, value));
	}

	get(key: string) {
		return this.doc.getMap('m').get(key);
	}

	sendStep1() {
		this.room.receive(this.session, encodeSyncStep1(this.doc));
	}

	setPresence(state: Record<string, unknown> | null) {
		this.awareness.setLocalState(state);
		this.room.receive(this.session, encodeAwareness(this.awareness, [this.doc.clientID]));
	}

	leave() {
		this.room.leave(this.session);
	}

	destroy() {
		this.awareness.destroy();
		this.doc.destroy();
	}
}

/** An awareness frame as a modified client could send it: any ids, clocks and states. */
export function awarenessFrame(entries: PresenceEntry[]): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(e, encodeAwarenessEntries(entries));
	return encoding.toUint8Array(e);
}

export function deferred<T = void>() {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** A memory store whose appends wait for `open()` and which can be told to fail. */
export class ControlledStore extends MemoryUpdateStore {
	log: string[] = [];
	loads = 0;
	failAppends = false;
	failLoads = false;
	failCompactions = false;
	private gate: ReturnType<typeof deferred<void>> | null = null;
	private static live = new Set<ControlledStore>();

	constructor() {
		super();
		ControlledStore.live.add(this);
	}

	/** For afterEach: lets every held-back append through, so a failed test cannot hang cleanup. */
	static releaseAll() {
		for (const store of ControlledStore.live) {
			store.failAppends = store.failLoads = store.failCompactions = false;
			store.open();
		}
		ControlledStore.live.clear();
	}

	hold() {
		this.gate = deferred();
	}
	open() {
		this.gate?.resolve();
		this.gate = null;
	}

	override async load(room: string) {
		this.loads++;
		if (this.failLoads) throw new Error('load failed (test)');
		return super.load(room);
	}
	override async append(room: string, update: Uint8Array) {
		if (this.gate) await this.gate.promise;
		if (this.failAppends) throw new Error('append failed (test)');
		const seq = await super.append(room, update);
		this.log.push(`append ${seq}`);
		return seq;
	}
	override async compact(room: string, merged: Uint8Array, uptoSeq: string) {
		if (this.failCompactions) throw new Error('compaction failed (test)');
		await super.compact(room, merged, uptoSeq);
		this.log.push(`compact ${uptoSeq}`);
	}
}

/** The doc a store's rows replay to. */
export async function storedDoc(store: MemoryUpdateStore, room: string): Promise<Y.Doc> {
	const doc = new Y.Doc();
	for (const update of (await store.load(room)).updates) Y.applyUpdate(doc, update);
	return doc;
}
