import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { ApiClient } from './server';

/**
 * The stock y-websocket client in Node, sending what a browser would: the client's cookies and
 * an Origin; `params` go in the query (a kiosk screen's `{ kiosk: token }`).
 */
export function appProvider(baseUrl: string, room: string, client: ApiClient | null, origin = baseUrl, params: Record<string, string> = {}) {
	const cookie = client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
	class BrowserLikeSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { origin, ...(cookie ? { cookie } : {}) } });
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${baseUrl.replace('http', 'ws')}/sync`, room, doc, {
		WebSocketPolyfill: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		params
	});
	return { doc, provider };
}

export const synced = (p: WebsocketProvider) =>
	new Promise<void>((resolve) => (p.synced ? resolve() : p.once('sync', (s: boolean) => s && resolve())));

/** What one connection to a sync room may do: refused (the upgrade's HTTP status), read, or read and write. */
export type RoomProbe = number | 'r' | 'rw';

/**
 * Opens one sync connection the way the stock client does (cookies, Origin, y-websocket's
 * sync messages) and finds out what it may do: the upgrade's status if refused; otherwise
 * it reads the room (sync step 1 → step 2), sends the update `write` makes, and asks for the
 * room's whole state again on the same socket. The server handles one socket's messages in
 * order, so that reply shows whether the update was applied ('rw') or dropped ('r').
 * `written` tells from a copy of the room's state whether the update is in it.
 */
export function probeRoom(
	baseUrl: string,
	room: string,
	opts: { cookie?: string; query?: string; write(doc: Y.Doc): void; written(doc: Y.Doc): boolean; read?(doc: Y.Doc): boolean }
): Promise<RoomProbe> {
	return new Promise<RoomProbe>((resolve, reject) => {
		const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/sync/${room}${opts.query ?? ''}`, {
			headers: { origin: baseUrl, ...(opts.cookie ? { cookie: opts.cookie } : {}) }
		});
		const replies: Array<(update: Uint8Array) => void> = [];
		const askForEverything = () =>
			new Promise<Uint8Array>((answered) => {
				replies.push(answered);
				ws.send(syncMessage((e) => syncProtocol.writeSyncStep1(e, new Y.Doc())));
			});
		const finish = (outcome: RoomProbe | Error) => {
			ws.removeAllListeners();
			ws.on('error', () => {});
			ws.close();
			if (outcome instanceof Error) reject(outcome);
			else resolve(outcome);
		};
		ws.on('unexpected-response', (_req, res) => {
			resolve(res.statusCode ?? 0);
			res.resume();
			ws.removeAllListeners();
			ws.on('error', () => {});
		});
		ws.on('error', (error) => finish(error));
		ws.on('close', (code, reason) => finish(new Error(`${room}: closed with ${code} ${reason}`)));
		ws.on('message', (data: Buffer) => {
			const decoder = decoding.createDecoder(new Uint8Array(data));
			if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return; // presence
			if (decoding.readVarUint(decoder) !== syncProtocol.messageYjsSyncStep2) return; // the server's own step 1, or updates
			replies.shift()?.(decoding.readVarUint8Array(decoder));
		});
		ws.on('open', async () => {
			try {
				const doc = new Y.Doc();
				Y.applyUpdate(doc, await askForEverything());
				if (opts.read && !opts.read(doc)) return finish(new Error(`${room}: the room's state did not arrive`));
				let update: Uint8Array | null = null;
				doc.on('update', (u: Uint8Array) => (update = u));
				opts.write(doc);
				if (!update) return finish(new Error('write() changed nothing'));
				ws.send(syncMessage((e) => syncProtocol.writeUpdate(e, update!)));
				const after = new Y.Doc();
				Y.applyUpdate(after, await askForEverything());
				finish(opts.written(after) ? 'rw' : 'r');
			} catch (error) {
				finish(error as Error);
			}
		});
	});
}

const MESSAGE_SYNC = 0;

function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	write(encoder);
	return encoding.toUint8Array(encoder);
}
