import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { ApiClient } from './server';

/** The stock y-websocket client in Node, sending what a browser would: the client's cookies and an Origin. */
export function appProvider(baseUrl: string, room: string, client: ApiClient | null, origin = baseUrl) {
	const cookie = client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
	class BrowserLikeSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { origin, ...(cookie ? { cookie } : {}) } });
		}
	}
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(`${baseUrl.replace('http', 'ws')}/sync`, room, doc, {
		WebSocketPolyfill: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true
	});
	return { doc, provider };
}

export const synced = (p: WebsocketProvider) =>
	new Promise<void>((resolve) => (p.synced ? resolve() : p.once('sync', (s: boolean) => s && resolve())));
