import type * as Y from 'yjs';
import { FORGOTTEN, RevocationLog } from '../auth/revocations';
import { cardsOf, runMapOf, type Card } from '../engine/feed';
import type { RoomLease } from '../sync/rooms';
import type { QueueSummary } from './prompt-queue';

/**
 * The live feed as Server-Sent Events, for phones that cannot afford Yjs. One hub per network
 * holds the feed room (a lease) while anyone is subscribed, observes its doc and sends each
 * subscriber plain JSON events:
 *
 *   snapshot { run, cards, queue }   first, on every (re)connect
 *   card     <card>                  each new card
 *   run      <run map>               whenever the run state changes
 *   queue    { length, nextPrompt? } when the prompt queue changes
 *   closed   { reason }              before the server ends the stream (removed, event over)
 *
 * plus a comment every 20 s so proxies and phones keep the connection, and `retry: 2000` so
 * EventSource comes back quickly after a phone wakes up. A subscriber that stops reading is
 * dropped once too much is queued for it, rather than buffered for without end.
 */
export type FeedViewer =
	/** Let in as owner, member or site admin, through a login session. */
	| { kind: 'member'; userId: string; loginSession?: string }
	| { kind: 'audience'; sessionId: string }
	/** Let in because the network is public or unlisted (logged in or not): going private ends it. */
	| { kind: 'public'; userId?: string; loginSession?: string }
	/** A kiosk screen of an installation (its token), by screen id. */
	| { kind: 'kiosk'; id: string };

export interface FeedStreamRooms {
	acquire(name: string): Promise<RoomLease>;
}

export interface FeedStreamOptions {
	rooms: FeedStreamRooms;
	queueSummary(networkId: string): Promise<QueueSummary>;
	heartbeatMs?: number;
	/** Bytes queued for one subscriber beyond which it is dropped. */
	maxQueuedBytes?: number;
	/** Queue events are coalesced over this window (200 prompts a minute are not 200 events each). */
	queueDebounceMs?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

export interface OpenFeedOptions {
	/** Cards in the snapshot. */
	cards?: number;
	/**
	 * `revision` read before the caller authorised the viewer: access taken away since then
	 * (while authorising or loading the room) ends the stream at once instead of letting it in.
	 */
	since?: number;
	/** Called once when the stream ends, however it ends (e.g. to release its admission). */
	onEnd?: () => void;
}

export const DEFAULT_SNAPSHOT_CARDS = 12;
export const MAX_SNAPSHOT_CARDS = 50;

interface Subscriber {
	viewer: FeedViewer;
	controller: ReadableStreamDefaultController<Uint8Array>;
	open: boolean;
	onEnd?: () => void;
}


interface Hub {
	networkId: string;
	ready: Promise<RoomLease>;
	lease?: RoomLease;
	subscribers: Set<Subscriber>;
	/** Subscribers still connecting: the hub must not be torn down under them. */
	joining: number;
	heartbeat?: ReturnType<typeof setInterval>;
	queueTimer?: ReturnType<typeof setTimeout>;
	/** The queue summary snapshots show, refreshed on change: a burst of 500 joins asks once. */
	queue?: Promise<QueueSummary>;
	lastQueue?: string;
	detach?: () => void;
	disposing?: Promise<void>;
}

const encoder = new TextEncoder();
const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
const PING = encoder.encode(': ping\n\n');

/** A stream that only says it is over: for a viewer whose access went while it was opening. */
function closedStream(reason: string): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(event('closed', { reason }));
			controller.close();
		}
	});
}

export class FeedStreams {
	private hubs = new Map<string, Hub>();
	private closed = false;
	/** Recent revocations, for streams authorised before them and still opening. */
	private revocations = new RevocationLog<FeedViewer>();
	private readonly heartbeatMs: number;
	private readonly maxQueuedBytes: number;
	private readonly queueDebounceMs: number;
	private readonly log: NonNullable<FeedStreamOptions['log']>;

	constructor(private options: FeedStreamOptions) {
		this.heartbeatMs = options.heartbeatMs ?? 20_000;
		this.maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024;
		this.queueDebounceMs = options.queueDebounceMs ?? 250;
		this.log = options.log ?? console;
	}

	/** Counts revocations; read it before authorising a viewer and pass it to `open` as `since`. */
	get revision(): number {
		return this.revocations.revision;
	}

	/**
	 * A stream of the network's feed for one viewer (authorised by the caller). Cancelling the
	 * stream (the client went away) unsubscribes; the last one out releases the feed room.
	 * `onEnd` is called once the returned stream ends, never when this throws.
	 */
	async open(networkId: string, viewer: FeedViewer, options: OpenFeedOptions = {}): Promise<ReadableStream<Uint8Array>> {
		const { cards = DEFAULT_SNAPSHOT_CARDS, since, onEnd } = options;
		if (this.closed) throw new Error('The feed is shutting down.');
		const hub = this.hubs.get(networkId) ?? this.createHub(networkId);
		hub.joining++;
		let lease: RoomLease;
		let queue: QueueSummary;
		try {
			[lease, queue] = await Promise.all([hub.ready, this.queueOf(hub)]);
		} catch (error) {
			hub.joining--;
			this.maybeDispose(hub);
			throw error;
		}
		hub.joining--;
		if (this.closed || this.hubs.get(networkId) !== hub) {
			this.maybeDispose(hub);
			throw new Error('The feed is shutting down.');
		}
		if (lease.room.state !== 'open') {
			// The room failed since the hub loaded it: start over with a fresh load.
			for (const subscriber of [...hub.subscribers]) this.end(hub, subscriber, 'close');
			await this.dispose(hub);
			return this.open(networkId, viewer, options);
		}
		// Checked in the same synchronous step as subscribing below: no revocation falls between.
		const revoked = since === undefined ? null : this.revocations.since(since, networkId, viewer);
		if (revoked === FORGOTTEN) {
			this.maybeDispose(hub);
			throw new Error('The feed took too long to open; try again.');
		}
		if (revoked) {
			this.maybeDispose(hub);
			onEnd?.();
			return closedStream(revoked.reason);
		}
		const subscriber = { viewer, open: true, onEnd } as Subscriber;
		const count = Math.min(Math.max(1, Math.floor(cards)), MAX_SNAPSHOT_CARDS);
		return new ReadableStream<Uint8Array>(
			{
				start: (controller) => {
					subscriber.controller = controller;
					try {
						// Read and subscribe in one synchronous step: no change can fall between them.
						const snapshot = lease.room.read((doc) => {
							const all = cardsOf(doc);
							// Y.Array.slice does not clamp a negative start the way Array.slice does.
							return { run: runMapOf(doc).toJSON(), cards: all.slice(Math.max(0, all.length - count)), queue };
						});
						controller.enqueue(encoder.encode('retry: 2000\n\n'));
						controller.enqueue(event('snapshot', snapshot));
						hub.subscribers.add(subscriber);
					} catch (error) {
						this.leave(hub, subscriber); // nobody will cancel a stream that never started
						throw error;
					}
				},
				cancel: () => this.leave(hub, subscriber)
			},
			new ByteLengthQueuingStrategy({ highWaterMark: 16 * 1024 })
		);
	}

	/** The prompt queue of a network changed: subscribers get a `queue` event shortly. */
	queueChanged(networkId: string): void {
		const hub = this.hubs.get(networkId);
		if (!hub) return;
		if (!hub.subscribers.size) {
			hub.queue = undefined; // nobody to tell: the next snapshot asks afresh
			return;
		}
		if (hub.queueTimer) return;
		hub.queueTimer = setTimeout(() => {
			hub.queueTimer = undefined;
			hub.queue = undefined;
			if (!hub.subscribers.size) return;
			this.queueOf(hub).then(
				(summary) => {
					const text = JSON.stringify(summary);
					if (text === hub.lastQueue) return;
					hub.lastQueue = text;
					this.broadcast(hub, event('queue', summary));
				},
				(error) => this.log.error(`[audience] feed of ${networkId}: queue summary failed`, error)
			);
		}, this.queueDebounceMs);
		hub.queueTimer.unref?.();
	}

	/** The hub's queue summary, asked for once until the queue changes (a failure is asked again). */
	private queueOf(hub: Hub): Promise<QueueSummary> {
		if (!hub.queue) {
			const asking = this.options.queueSummary(hub.networkId);
			hub.queue = asking;
			asking.catch(() => hub.queue === asking && (hub.queue = undefined));
		}
		return hub.queue;
	}

	/** Open streams of a network. */
	viewers(networkId: string): FeedViewer[] {
		return [...(this.hubs.get(networkId)?.subscribers ?? [])].map((s) => s.viewer);
	}

	/**
	 * Ends the matching streams of a network with a `closed` event saying why, and those still
	 * opening that were authorised before now. Returns how many open streams it ended.
	 */
	disconnect(networkId: string, match: (viewer: FeedViewer) => boolean, reason: string): number {
		this.revocations.record(networkId, match, reason);
		const hub = this.hubs.get(networkId);
		return hub ? this.endMatching(hub, match, reason) : 0;
	}

	/** `disconnect` across every network (a logout ends that session's streams wherever they are). */
	disconnectEverywhere(match: (viewer: FeedViewer) => boolean, reason: string): number {
		this.revocations.record(null, match, reason);
		let closed = 0;
		for (const hub of [...this.hubs.values()]) closed += this.endMatching(hub, match, reason);
		return closed;
	}

	/** Shutdown: ends every stream and releases every room. No timers remain. */
	async close(): Promise<void> {
		this.closed = true;
		await Promise.all(
			[...this.hubs.values()].map(async (hub) => {
				for (const subscriber of [...hub.subscribers]) this.end(hub, subscriber, 'close');
				await this.dispose(hub);
			})
		);
	}

	private endMatching(hub: Hub, match: (viewer: FeedViewer) => boolean, reason: string): number {
		let closed = 0;
		for (const subscriber of [...hub.subscribers]) {
			if (!match(subscriber.viewer)) continue;
			this.send(hub, subscriber, event('closed', { reason }));
			this.end(hub, subscriber, 'close');
			closed++;
		}
		return closed;
	}

	private createHub(networkId: string): Hub {
		const hub: Hub = { networkId, subscribers: new Set(), joining: 0, ready: undefined as unknown as Promise<RoomLease> };
		hub.ready = this.options.rooms.acquire(`${networkId}/feed`).then((lease) => {
			hub.lease = lease;
			if (this.hubs.get(networkId) !== hub) {
				// Everyone left (or the server closed) while the room was loading.
				void lease.release();
				throw new Error('The feed stream was closed while loading.');
			}
			this.attach(hub, lease.room.read((doc) => doc));
			return lease;
		});
		hub.ready.catch(() => this.hubs.get(networkId) === hub && this.hubs.delete(networkId));
		this.hubs.set(networkId, hub);
		return hub;
	}

	/** Observes the feed doc: new cards and run changes go out to every subscriber. */
	private attach(hub: Hub, doc: Y.Doc) {
		const cards = cardsOf(doc);
		const run = runMapOf(doc);
		const onCards = (e: Y.YArrayEvent<Card>) => {
			for (const change of e.changes.delta) {
				for (const card of (change.insert as Card[] | undefined) ?? []) this.broadcast(hub, event('card', card));
			}
		};
		const onRun = () => this.broadcast(hub, event('run', run.toJSON()));
		cards.observe(onCards);
		run.observe(onRun);
		hub.detach = () => {
			cards.unobserve(onCards);
			run.unobserve(onRun);
		};
		hub.heartbeat = setInterval(() => {
			// A room that failed (a store write did not land) is replaced by a fresh load on next
			// use; end the streams so clients reconnect to that one instead of a dead doc.
			if (hub.lease?.room.state !== 'open') {
				for (const subscriber of [...hub.subscribers]) this.end(hub, subscriber, 'close');
				return;
			}
			this.broadcast(hub, PING);
		}, this.heartbeatMs);
		hub.heartbeat.unref?.();
	}

	private broadcast(hub: Hub, chunk: Uint8Array) {
		for (const subscriber of [...hub.subscribers]) this.send(hub, subscriber, chunk);
	}

	private send(hub: Hub, subscriber: Subscriber, chunk: Uint8Array) {
		if (!subscriber.open) return;
		const desired = subscriber.controller.desiredSize;
		// desiredSize goes negative by what is queued beyond the high-water mark: the client is
		// not reading (a phone asleep, a stalled proxy). Drop it; EventSource reconnects later
		// and gets a fresh snapshot instead of a backlog.
		if (desired !== null && desired < -this.maxQueuedBytes) {
			this.end(hub, subscriber, 'error');
			return;
		}
		try {
			subscriber.controller.enqueue(chunk);
		} catch {
			this.end(hub, subscriber, 'error');
		}
	}

	/** Ends one stream: 'close' lets queued events drain first, 'error' discards them. */
	private end(hub: Hub, subscriber: Subscriber, how: 'close' | 'error') {
		if (!subscriber.open) return;
		try {
			if (how === 'close') subscriber.controller.close();
			else subscriber.controller.error(new Error('The feed stream fell too far behind.'));
		} catch {
			// already closed by the other side
		}
		this.leave(hub, subscriber);
	}

	private leave(hub: Hub, subscriber: Subscriber) {
		subscriber.open = false;
		hub.subscribers.delete(subscriber);
		const onEnd = subscriber.onEnd;
		subscriber.onEnd = undefined;
		onEnd?.();
		this.maybeDispose(hub);
	}

	private maybeDispose(hub: Hub) {
		if (hub.subscribers.size || hub.joining) return;
		void this.dispose(hub).catch((error) => this.log.error(`[audience] feed of ${hub.networkId}: release failed`, error));
	}

	/** Tears a hub down once; later calls wait for the same release. */
	private dispose(hub: Hub): Promise<void> {
		return (hub.disposing ??= this.teardown(hub));
	}

	private async teardown(hub: Hub) {
		if (this.hubs.get(hub.networkId) === hub) this.hubs.delete(hub.networkId);
		if (hub.heartbeat) clearInterval(hub.heartbeat);
		if (hub.queueTimer) clearTimeout(hub.queueTimer);
		hub.heartbeat = hub.queueTimer = undefined;
		hub.detach?.();
		hub.detach = undefined;
		const lease = hub.lease;
		hub.lease = undefined;
		await lease?.release();
	}
}
