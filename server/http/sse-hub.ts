import { AppError } from '../errors';
import { authorizeRoom, connectionKey, feedRoomOf, principalFor, type Basis, type Credentials, type StandingSource } from '../networks/room-access';
import type { ConnectionGate } from './connection-admission';

/**
 * What Server-Sent Event streams of a network's things share (a run's page, an experiment's
 * page): letting a viewer in (counted under the connection limits, then the network's feed-room
 * policy), frames, and the hubs, one per thing watched, each with its subscribers, that
 * access changes end and a heartbeat keeps alive. What a hub reads and sends is its owner's.
 */

/** Who a stream is for, as far as taking access away needs to know. */
export interface StreamViewer {
	userId: string | null;
	loginSession: string | null;
	/** What the access rests on: a member's role, or the network being public or unlisted. */
	basis: Basis;
}

export interface StreamAccessDeps {
	/** Who may watch: the feed room's policy (`networks/room-access.ts`), as for the live feed. */
	networks: StandingSource;
	/** Counts the stream with every other long-lived connection (per address, session, network). */
	admission: Pick<ConnectionGate, 'admit'>;
}

const encoder = new TextEncoder();
/** One event; `data` that is already JSON text goes as it is. */
export const sseFrame = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
export const SSE_PING = encoder.encode(': ping\n\n');
/** First on every stream: EventSource reconnects after 3 s. */
export const SSE_RETRY = encoder.encode('retry: 3000\n\n');

/**
 * Lets a viewer watch something of `networkId`: the connection is counted first (refused with
 * the limit's status), then the viewer must be one who may read the network's feed room (audience
 * sessions and kiosk screens aside: they see the feed, not these pages). A stranger is told the
 * thing does not exist (`missing`). The caller calls `release` when the stream ends.
 */
export async function admitViewer(
	deps: StreamAccessDeps,
	networkId: string,
	credentials: Pick<Credentials, 'user' | 'session'>,
	address: string,
	missing: () => AppError
): Promise<{ viewer: StreamViewer; release: () => void }> {
	const room = feedRoomOf(networkId);
	const principal = principalFor(room, { user: credentials.user, session: credentials.session, audience: null });
	const admitted = await deps.admission.admit({ address, session: connectionKey(principal), network: networkId });
	if (!admitted.ok) throw new AppError(admitted.status, admitted.message, { retryAfterSeconds: admitted.retryAfterSeconds, limit: admitted.limit });
	try {
		const decision = await authorizeRoom(deps.networks, room, principal);
		if (!decision.ok) throw decision.status === 404 ? missing() : new AppError(decision.status, decision.message);
		return { viewer: { userId: credentials.user?.id ?? null, loginSession: credentials.session?.id ?? null, basis: decision.basis }, release: admitted.release };
	} catch (error) {
		admitted.release();
		throw error;
	}
}

export interface HubSubscriber {
	viewer: StreamViewer;
}

export interface Hub<S extends HubSubscriber> {
	networkId: string;
	subscribers: Set<S>;
}

/** The hubs of one kind of stream, by the id of what they watch. */
export class SseHubs<S extends HubSubscriber, H extends Hub<S>> {
	private hubs = new Map<string, H>();

	get(id: string): H | undefined {
		return this.hubs.get(id);
	}

	/** A new hub, with a heartbeat to every subscriber every `heartbeatMs` (cleared by `remove`). */
	add(id: string, hub: H, heartbeatMs: number, ping: (hub: H, subscriber: S) => void): ReturnType<typeof setInterval> {
		this.hubs.set(id, hub);
		const heartbeat = setInterval(() => {
			for (const subscriber of [...hub.subscribers]) ping(hub, subscriber);
		}, heartbeatMs);
		heartbeat.unref?.();
		this.heartbeats.set(hub, heartbeat);
		return heartbeat;
	}

	/** Forgets the hub (if it is still the one for `id`) and stops its heartbeat. */
	remove(id: string, hub: H): void {
		if (this.hubs.get(id) === hub) this.hubs.delete(id);
		clearInterval(this.heartbeats.get(hub));
		this.heartbeats.delete(hub);
	}

	all(): H[] {
		return [...this.hubs.values()];
	}

	/** Open streams of `id`. */
	watching(id: string): number {
		return this.hubs.get(id)?.subscribers.size ?? 0;
	}

	/**
	 * Access was taken away: the matching subscribers of the network's hubs (every network's
	 * for null) are sent `closed { reason }` and ended by `close`. Returns how many.
	 */
	disconnect(networkId: string | null, match: (viewer: StreamViewer) => boolean, reason: string, close: (hub: H, subscriber: S, closed: Uint8Array) => void): number {
		let ended = 0;
		const closed = sseFrame('closed', { reason });
		for (const hub of this.all()) {
			if (networkId !== null && hub.networkId !== networkId) continue;
			for (const subscriber of [...hub.subscribers]) {
				if (!match(subscriber.viewer)) continue;
				close(hub, subscriber, closed);
				ended++;
			}
		}
		return ended;
	}

	private heartbeats = new Map<H, ReturnType<typeof setInterval>>();
}
