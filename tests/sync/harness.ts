import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Db } from '../../server/db/connect';
import { encodeSyncStep1 } from '../../server/sync/protocol';
import type { SyncLog } from '../../server/sync/room';
import { SyncRooms, type SyncRoomsOptions } from '../../server/sync/rooms';
import { KyselyUpdateStore, type UpdateStore } from '../../server/sync/store';
import { createUpgradeHandler, type AuthorizeResult, type SyncLimits } from '../../server/sync/upgrade';

/**
 * A real HTTP server on 127.0.0.1:0 with the sync upgrade handler, a cookie-based test
 * authorize (`who=editor|viewer|nobody`, optional `key=` session key) and a store over the
 * given database that tests can make fail. Clients are the stock y-websocket provider.
 */
export class FaultyStore implements UpdateStore {
	failAppends = false;
	failLoads = false;
	appendDelayMs = 0;
	loadDelayMs = 0;
	constructor(readonly inner: UpdateStore) {}
	async load(room: string) {
		if (this.loadDelayMs) await new Promise((r) => setTimeout(r, this.loadDelayMs));
		if (this.failLoads) throw new Error('database unavailable (test)');
		return this.inner.load(room);
	}
	async append(room: string, update: Uint8Array) {
		if (this.appendDelayMs) await new Promise((r) => setTimeout(r, this.appendDelayMs));
		if (this.failAppends) throw new Error('database unavailable (test)');
		return this.inner.append(room, update);
	}
	compact(room: string, merged: Uint8Array, uptoSeq: string) {
		return this.inner.compact(room, merged, uptoSeq);
	}
	replace(room: string, state: Uint8Array, uptoSeq: string) {
		return this.inner.replace(room, state, uptoSeq);
	}
}

export interface SyncTestServer {
	origin: string;
	wsUrl: string;
	rooms: SyncRooms;
	store: FaultyStore;
	log: SyncLog & { lines: string[] };
	/** Closes the rooms (1001 to everyone) and the HTTP server. */
	close(): Promise<void>;
}

export async function startSyncServer(
	db: Db,
	options: {
		compactEvery?: number;
		limits?: Partial<SyncLimits>;
		store?: FaultyStore;
		writeRule?: SyncRoomsOptions['writeRule'];
		historyCompaction?: SyncRoomsOptions['historyCompaction'];
	} = {}
): Promise<SyncTestServer> {
	const store = options.store ?? new FaultyStore(new KyselyUpdateStore(db));
	const lines: string[] = [];
	const log = { lines, warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
	const rooms = new SyncRooms({ store, compactEvery: options.compactEvery, log, writeRule: options.writeRule, historyCompaction: options.historyCompaction });
	let keys = 0;
	const authorize = async (req: http.IncomingMessage): Promise<AuthorizeResult> => {
		const cookie = req.headers.cookie ?? '';
		const who = /(?:^|;\s*)who=(\w+)/.exec(cookie)?.[1];
		const sessionKey = /(?:^|;\s*)key=(\w+)/.exec(cookie)?.[1] ?? `anon${keys++}`;
		if (who === 'editor') return { ok: true, readOnly: false, awareness: true, sessionKey };
		if (who === 'viewer') return { ok: true, readOnly: true, awareness: false, sessionKey };
		if (who === 'stranger') return { ok: false, status: 403, message: 'Not a member of this network.' };
		return { ok: false, status: 401, message: 'Sign in first.' };
	};
	const handleUpgrade = createUpgradeHandler({ rooms, authorize, limits: options.limits, log });
	const server = http.createServer((_req, res) => res.writeHead(404).end());
	server.on('upgrade', handleUpgrade);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		wsUrl: `ws://127.0.0.1:${port}/sync`,
		rooms,
		store,
		log,
		async close() {
			await rooms.close();
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}

export type Who = 'editor' | 'viewer' | 'nobody' | 'stranger';

function headersFor(server: SyncTestServer, who: Who | null, extra: Record<string, string> = {}) {
	const headers: Record<string, string> = { origin: server.origin, ...extra };
	if (who) headers.cookie = `who=${who}${extra.key ? `; key=${extra.key}` : ''}`;
	delete headers.key;
	return headers;
}

/** `ws` with the cookie and Origin a browser would send, shaped as y-websocket expects. */
function webSocketWith(headers: Record<string, string>): typeof globalThis.WebSocket {
	return class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	} as unknown as typeof globalThis.WebSocket;
}

export interface Peer {
	doc: Y.Doc;
	provider: WebsocketProvider;
	closes: number[];
	map: Y.Map<unknown>;
	destroy(): void;
}

/** Everything a test opened, torn down after it. */
export class Peers {
	private all: Array<{ destroy(): void }> = [];

	connect(server: SyncTestServer, room: string, who: Who, opts: { key?: string; doc?: Y.Doc } = {}): Peer {
		const doc = opts.doc ?? new Y.Doc();
		const provider = new WebsocketProvider(server.wsUrl, room, doc, {
			WebSocketPolyfill: webSocketWith(headersFor(server, who, opts.key ? { key: opts.key } : {})),
			disableBc: true,
			maxBackoffTime: 150
		});
		const closes: number[] = [];
		provider.on('connection-close', (event) => {
			if (event) closes.push(event.code);
		});
		const peer = {
			doc,
			provider,
			closes,
			map: doc.getMap('m'),
			destroy: () => {
				provider.destroy();
				doc.destroy();
			}
		};
		this.all.push(peer);
		return peer;
	}

	async raw(server: SyncTestServer, room: string, who: Who | null, extra: Record<string, string> = {}) {
		const client = rawClient(`${server.wsUrl}/${room}`, headersFor(server, who, extra));
		this.all.push({ destroy: () => client.ws.terminate() });
		await client.opened;
		return client;
	}

	destroyAll() {
		for (const p of this.all.splice(0)) p.destroy();
	}
}

export function rawClient(url: string, headers: Record<string, string>, options: { autoPong?: boolean } = {}) {
	const ws = new WebSocket(url, { headers, ...options });
	const frames: Uint8Array[] = [];
	const listeners = new Set<(frame: Uint8Array) => void>();
	ws.on('message', (data: Buffer) => {
		const frame = new Uint8Array(data);
		frames.push(frame);
		for (const l of listeners) l(frame);
	});
	ws.on('error', () => {});
	const closed = new Promise<{ code: number; reason: string }>((resolve) =>
		ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
	);
	const opened = new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
		ws.once('error', reject);
	});
	return {
		ws,
		frames,
		closed,
		opened,
		/** Resolves with the next frame the server sends that matches. */
		next(match: (frame: Uint8Array) => boolean, timeoutMs = 15_000): Promise<Uint8Array> {
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('no matching frame')), timeoutMs);
				const listener = (frame: Uint8Array) => {
					if (!match(frame)) return;
					clearTimeout(timer);
					listeners.delete(listener);
					resolve(frame);
				};
				listeners.add(listener);
			});
		},
		/**
		 * Sends a sync step 1 and waits for its step 2: frames sent before it on this socket
		 * have been handled by the server by then (one socket's frames are handled in order).
		 */
		async barrier(doc = new Y.Doc()): Promise<Uint8Array> {
			const reply = this.next((f) => f[0] === 0 && f[1] === 1);
			ws.send(encodeSyncStep1(doc));
			return reply;
		}
	};
}

/** The HTTP status a refused upgrade answered with (or 101 if it was accepted). */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { headers });
		ws.on('unexpected-response', (_req, res) => {
			let body = '';
			res.on('data', (d) => (body += d));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		ws.on('open', () => {
			ws.terminate();
			resolve({ status: 101, body: '' });
		});
		ws.on('error', (e) => {
			if (!/Unexpected server response/.test(e.message)) reject(e);
		});
	});
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 15_000) {
	const until = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

export const synced = (peer: Peer) => waitFor(() => peer.provider.synced, 'provider synced');

export async function storedRows(db: Db, room: string): Promise<number> {
	const row = await db
		.selectFrom('sync_updates')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('room', '=', room)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/** The doc a room's stored rows replay to, read straight from the database. */
export async function storedDoc(db: Db, room: string): Promise<Y.Doc> {
	const doc = new Y.Doc();
	for (const update of (await new KyselyUpdateStore(db).load(room)).updates) Y.applyUpdate(doc, update);
	return doc;
}
