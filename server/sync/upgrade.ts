import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { RateLimiter } from '../auth/rate-limit';
import { crossSiteCheck } from '../http/origin';
import { FORGOTTEN } from '../auth/revocations';
import { addressKey, requestAddress } from '../http/client-address';
import { ConnectionAdmission, type ConnectionGate } from '../http/connection-admission';
import { CLOSE } from './protocol';
import type { SyncLog, SyncSession, SyncSocket } from './room';
import type { RoomLease, SyncRooms } from './rooms';

/**
 * The transport: HTTP upgrade → WebSocket → room session. Everything that can refuse a
 * client (path, Origin, authorization, connection caps, room load) happens before the
 * socket is accepted, so a refused client gets a plain HTTP status and no socket at all.
 */
export type AuthorizeResult =
	/** `sessionKey` null: no session at all (an anonymous reader), counted and cooled down per address. */
	| { ok: true; readOnly: boolean; awareness: boolean; sessionKey: string | null; principal?: string }
	| { ok: false; status: 401 | 403 | 404; message: string };

export type Authorize = (req: IncomingMessage, room: string) => Promise<AuthorizeResult>;

export interface SyncLimits {
	/** Largest frame accepted; larger ones close the socket with 1009. */
	maxPayloadBytes: number;
	/** Sustained messages per second per connection; exceeding the burst closes with 1008. */
	messagesPerSecond: number;
	messageBurst: number;
	/** Keepalive: a socket that has not answered the previous ping by the next is dropped. */
	pingIntervalMs: number;
	/** A client this far behind on reading is dropped rather than buffered for. */
	maxBufferedBytes: number;
	/**
	 * After one of its updates was refused (4422), a session may not open sync sockets for
	 * this long: judging and refusing is the dearest thing an update can cost the server, and
	 * a real editor never sends refused updates in a loop.
	 */
	refusedCooldownMs: number;
}

export const DEFAULT_LIMITS: SyncLimits = {
	maxPayloadBytes: 1024 * 1024,
	messagesPerSecond: 200,
	messageBurst: 400,
	pingIntervalMs: 30_000,
	maxBufferedBytes: 16 * 1024 * 1024,
	refusedCooldownMs: 5000
};

export interface UpgradeOptions {
	rooms: SyncRooms;
	authorize: Authorize;
	/** The app's public origin (ORIGIN); without it, Origin must match the request's Host. */
	origin?: string;
	limits?: Partial<SyncLimits>;
	/**
	 * Caps on open sockets per session, address, network and process, shared with the SSE feed
	 * (default: a private one with the default caps, e.g. 32 per session).
	 */
	admission?: ConnectionGate;
	log?: SyncLog;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const ROOM_SEGMENT = '[A-Za-z0-9_-]{1,64}';
const ROOM_NAME = new RegExp(`^${ROOM_SEGMENT}(?:/${ROOM_SEGMENT})?$`);

/**
 * `/sync/<room>[?query]` → room, where a room is one or two segments of `[A-Za-z0-9_-]`
 * (`<networkId>` or `<networkId>/feed`); anything else (encoded characters, dot segments,
 * empty or overlong segments) → null. What a room name means is authorize's business.
 */
export function roomFromPath(url: string | undefined): string | null {
	if (!url) return null;
	const query = url.indexOf('?');
	const path = query === -1 ? url : url.slice(0, query);
	if (!path.startsWith('/sync/')) return null;
	const room = path.slice('/sync/'.length);
	return ROOM_NAME.test(room) ? room : null;
}

export function createUpgradeHandler(options: UpgradeOptions): UpgradeHandler {
	const { rooms, authorize } = options;
	const limits: SyncLimits = { ...DEFAULT_LIMITS, ...options.limits };
	const log = options.log ?? console;
	// noServer: the app's own HTTP server owns the port; we only take sockets handed to us.
	const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
	// One token bucket per connection: burst `messageBurst`, refilled at `messagesPerSecond`.
	const messages = new RateLimiter(limits.messageBurst, (limits.messageBurst / limits.messagesPerSecond) * 1000);
	const admission = options.admission ?? new ConnectionAdmission();
	// One token per session, spent when one of its updates is refused.
	const refusals = new RateLimiter(1, limits.refusedCooldownMs);
	let nextConnection = 1;

	/** Resolves true once the socket belongs to ws (accepted), false if it was refused. */
	async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
		const room = roomFromPath(req.url);
		if (!room) return refuse(socket, 404, 'No such sync room.');
		if (req.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400, 'Expected a WebSocket upgrade.');
		// Cross-site WebSocket hijacking: the cookie rides along whoever opened the socket.
		const source = { origin: req.headers.origin, secFetchSite: req.headers['sec-fetch-site']?.toString(), host: req.headers.host };
		if (!crossSiteCheck(source, { configuredOrigin: options.origin, requireOrigin: true }).ok) {
			return refuse(socket, 403, 'This origin may not open sync connections.');
		}
		// Read before authorising: access taken away while this socket is let in refuses it below.
		const since = rooms.revocations.revision;
		const auth = await authorize(req, room);
		if (!auth.ok) return refuse(socket, auth.status, auth.message);
		if (socket.destroyed) return false; // the client gave up while we checked
		const address = addressKey(requestAddress(req));
		const refusalKey = auth.sessionKey ?? `address:${address}`;
		if (!refusals.peek(refusalKey)) {
			return refuse(socket, 429, 'An edit from this session was just refused; reload the page in a few seconds.');
		}
		const admitted = await admission.admit({ address, session: auth.sessionKey, network: room.split('/')[0] });
		if (!admitted.ok) return refuse(socket, admitted.status, admitted.message, { 'Retry-After': String(admitted.retryAfterSeconds) });
		let accepted = false;
		try {
			let lease: RoomLease;
			try {
				lease = await rooms.acquire(room);
			} catch (error) {
				log.warn(`[sync] refusing ${room}: ${(error as Error).message}`);
				return refuse(socket, 503, 'This document cannot be opened right now; try again shortly.');
			}
			if (socket.destroyed) {
				void lease.release(); // the client gave up while we loaded
				return false;
			}
			// From here to joining the room is one synchronous step: nothing is revoked in between.
			const joining: SyncSession = { id: 0, readOnly: auth.readOnly, awareness: auth.awareness, principal: auth.principal, sessionKey: auth.sessionKey ?? undefined };
			const revoked = rooms.revocations.since(since, room, joining);
			if (revoked) {
				void lease.release();
				if (revoked === FORGOTTEN) return refuse(socket, 503, 'This took too long; try again.');
				return refuse(socket, revoked.code === CLOSE.loggedOut ? 401 : 403, revoked.reason);
			}
			// handleUpgrade calls back synchronously when it accepts (we pass no async
			// verifyClient); if it rejected a malformed handshake it has answered and destroyed.
			wss.handleUpgrade(req, socket, head, (ws) => {
				accepted = true;
				attach(ws, lease, auth, refusalKey, admitted.release);
			});
			if (!accepted) void lease.release();
			return accepted;
		} finally {
			if (!accepted) admitted.release();
		}
	}

	function attach(ws: WebSocket, lease: RoomLease, auth: Extract<AuthorizeResult, { ok: true }>, refusalKey: string, onClosed: () => void) {
		const key = String(nextConnection++);
		let alive = true;
		const ping = setInterval(() => {
			if (!alive) return void ws.terminate(); // no pong since the last ping
			alive = false;
			ws.ping();
		}, limits.pingIntervalMs);
		const socket: SyncSocket = {
			isOpen: () => ws.readyState === WebSocket.OPEN,
			send(data) {
				if (ws.bufferedAmount > limits.maxBufferedBytes) return void ws.terminate();
				ws.send(data);
			},
			close(code, reason) {
				clearInterval(ping);
				if (code === CLOSE.refusedUpdate) refusals.take(refusalKey);
				ws.close(code, truncateUtf8(reason, 123)); // RFC 6455 caps the reason at 123 bytes
			}
		};
		const { room } = lease;
		let session: SyncSession;
		try {
			session = room.join(socket, { readOnly: auth.readOnly, awareness: auth.awareness, principal: auth.principal, sessionKey: auth.sessionKey ?? undefined });
		} catch {
			// The room failed or began shutting down after we acquired it.
			socket.close(CLOSE.tryAgainLater, 'This document is reloading; try again.');
			onClosed();
			void lease.release();
			return;
		}
		const stop = (code: number, reason: string) => {
			room.leave(session);
			socket.close(code, reason);
		};
		ws.on('message', (data: RawData, isBinary: boolean) => {
			if (ws.readyState !== WebSocket.OPEN) return; // frames still arriving after we closed
			if (!isBinary) return stop(CLOSE.unsupportedData, 'Sync frames are binary.');
			if (!messages.take(key).ok) return stop(CLOSE.policyViolation, 'Too many messages; slow down.');
			room.receive(session, toBytes(data));
		});
		ws.on('pong', () => (alive = true));
		// Oversized frames (ws closes with 1009 itself), resets, protocol errors: 'close' follows.
		ws.on('error', (error) => log.warn(`[sync] ${room.name}: socket error: ${error.message}`));
		ws.on('close', () => {
			clearInterval(ping);
			messages.reset(key);
			room.leave(session);
			onClosed();
			void lease.release();
		});
	}

	return (req, socket, head) => {
		// Until ws owns the socket, a client reset would otherwise be an unhandled 'error'. A
		// refused socket keeps this listener: its response may still be flushing.
		const onError = () => socket.destroy();
		socket.on('error', onError);
		upgrade(req, socket, head).then(
			(accepted) => accepted && socket.off('error', onError),
			(error) => {
				log.error('[sync] upgrade failed', error);
				refuse(socket, 500, 'Internal error.');
			}
		);
	};
}

/** A plain HTTP response on the raw socket, then the socket is gone. */
function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): false {
	if (socket.destroyed) return false;
	const body = `${message}\n`;
	const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
	socket.once('finish', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
			'Connection: close\r\n' +
			'Content-Type: text/plain; charset=utf-8\r\n' +
			extra +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
	return false;
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return Buffer.concat(data);
	return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function truncateUtf8(text: string, maxBytes: number): string {
	let out = text;
	while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
	return out;
}
