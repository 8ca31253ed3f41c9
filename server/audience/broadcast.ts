import type { ControlBus } from '../cluster/bus';
import type { FeedViewer } from './feed-stream';

/**
 * What one process's audience must tell the others in a cluster: a network's prompt queue
 * changed (their schedulers and SSE hubs learn of it only from here: the queue lives in
 * PostgreSQL, which nobody watches), and feed streams to close because access was taken away
 * (their streams rest on the same access). The process where it happened acts at once and
 * sends the message; the others act when it arrives. In the single process nothing is sent.
 *
 * Pub/sub loses messages to a process that is down, which is fine for both: its streams died
 * with it, and its hubs ask for the queue afresh on the next snapshot.
 */

/** Whose feed streams to close, as data (a closure cannot travel over Redis). */
export type FeedCloseWho =
	| { kind: 'member'; userId: string }
	| { kind: 'public' }
	| { kind: 'kiosk'; ids: string[] }
	| { kind: 'audience'; sessionIds?: string[] }
	| { kind: 'login'; loginSession: string }
	| { kind: 'all' };

export interface FeedClose {
	/** null: every network (a logout). */
	networkId: string | null;
	who: FeedCloseWho;
	reason: string;
}

export function feedCloseMatch({ who }: FeedClose): (viewer: FeedViewer) => boolean {
	switch (who.kind) {
		case 'member':
			return (v) => v.kind === 'member' && v.userId === who.userId;
		case 'public':
			return (v) => v.kind === 'public';
		case 'kiosk': {
			const ids = new Set(who.ids);
			return (v) => v.kind === 'kiosk' && ids.has(v.id);
		}
		case 'audience': {
			const ids = who.sessionIds && new Set(who.sessionIds);
			return (v) => v.kind === 'audience' && (!ids || ids.has(v.sessionId));
		}
		case 'login':
			return (v) => (v.kind === 'member' || v.kind === 'public') && v.loginSession === who.loginSession;
		case 'all':
			return () => true;
	}
}

/**
 * The same closing for the run pages' streams (engine/run-streams.ts), which rest on the same
 * access as a member's or a visitor's feed; null when it concerns none of them (audience
 * sessions and kiosk screens watch the feed, not run pages).
 */
export function runViewerMatch({ who }: FeedClose): ((viewer: { userId: string | null; loginSession: string | null; basis: string }) => boolean) | null {
	switch (who.kind) {
		case 'member':
			return (v) => v.basis === 'member' && v.userId === who.userId;
		case 'public':
			return (v) => v.basis === 'visibility';
		case 'login':
			return (v) => v.loginSession === who.loginSession;
		case 'all':
			return () => true;
		default:
			return null;
	}
}

const QUEUE_TOPIC = 'audience:queue';
const CLOSE_TOPIC = 'audience:close-feeds';

export interface BroadcastHandlers {
	queueChanged(networkId: string): void;
	closeFeeds(close: FeedClose): void;
}

export class AudienceBroadcast {
	private unsubscribe: Array<() => void> = [];

	constructor(
		private readonly cluster: { bus: ControlBus; processId: string } | undefined,
		handlers: BroadcastHandlers,
		private readonly log: Pick<Console, 'warn'> = console
	) {
		if (!cluster) return;
		// Our own messages come back too: we acted on them already.
		const fromOthers =
			<T>(handle: (message: T) => void) =>
			(message: T, from: string) => {
				if (from !== cluster.processId) handle(message);
			};
		this.unsubscribe.push(
			cluster.bus.subscribe<{ networkId: string }>(QUEUE_TOPIC, fromOthers(({ networkId }) => handlers.queueChanged(networkId))),
			cluster.bus.subscribe<FeedClose>(CLOSE_TOPIC, fromOthers((close) => handlers.closeFeeds(close)))
		);
	}

	queueChanged(networkId: string): void {
		this.send(QUEUE_TOPIC, { networkId });
	}

	closeFeeds(close: FeedClose): void {
		this.send(CLOSE_TOPIC, close);
	}

	private send(topic: string, message: unknown) {
		if (!this.cluster) return;
		this.cluster.bus.publish(topic, message).catch((error) => this.log.warn(`[audience] telling the other processes (${topic}) failed`, error));
	}

	close(): void {
		for (const off of this.unsubscribe.splice(0)) off();
	}
}
