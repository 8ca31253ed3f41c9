import type { Awareness } from 'y-protocols/awareness';
import { throttle, type Throttled } from './throttle';

export interface Point {
	x: number;
	y: number;
}

/** What each client publishes through awareness; the cursor is in flow coordinates. */
export interface PresenceState {
	user: { name: string; color: string };
	cursor: Point | null;
}

export interface Peer {
	clientId: number;
	name: string;
	color: string;
	cursor: Point | null;
	isSelf: boolean;
}

/**
 * Who is on the canvas and where their pointer is, over the provider's awareness. Framework-
 * free so it can be tested with two linked Awareness instances. Cursors travel in FLOW
 * coordinates, so a cursor lands on the same node for people zoomed or panned differently;
 * updates are throttled to ~20 Hz, and leaving the canvas clears the cursor at once.
 */
export class Presence {
	private listeners = new Set<(peers: Peer[]) => void>();
	private sendCursor: Throttled<[Point]>;

	constructor(
		private awareness: Awareness,
		user: PresenceState['user'],
		intervalMs = 50
	) {
		awareness.setLocalState({ user, cursor: null } satisfies PresenceState);
		this.sendCursor = throttle((cursor: Point) => awareness.setLocalStateField('cursor', cursor), intervalMs);
		awareness.on('change', this.onChange);
	}

	get peers(): Peer[] {
		const peers: Peer[] = [];
		this.awareness.getStates().forEach((raw, clientId) => {
			const state = raw as Partial<PresenceState>;
			if (!state.user || typeof state.user.name !== 'string') return;
			peers.push({
				clientId,
				name: state.user.name,
				color: typeof state.user.color === 'string' ? state.user.color : '#999',
				cursor: isPoint(state.cursor) ? state.cursor : null,
				isSelf: clientId === this.awareness.clientID
			});
		});
		// Yourself first, then everyone else in a stable order.
		return peers.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name) || a.clientId - b.clientId);
	}

	subscribe(fn: (peers: Peer[]) => void): () => void {
		this.listeners.add(fn);
		fn(this.peers);
		return () => this.listeners.delete(fn);
	}

	setCursor(cursor: Point | null): void {
		if (cursor) return this.sendCursor({ x: Math.round(cursor.x), y: Math.round(cursor.y) });
		this.sendCursor.cancel();
		if (this.awareness.getLocalState()?.cursor) this.awareness.setLocalStateField('cursor', null);
	}

	destroy(): void {
		this.sendCursor.cancel();
		this.awareness.off('change', this.onChange);
		this.listeners.clear();
	}

	private onChange = () => {
		const peers = this.peers;
		for (const fn of this.listeners) fn(peers);
	};
}

function isPoint(value: unknown): value is Point {
	const p = value as Point | null | undefined;
	return !!p && Number.isFinite(p.x) && Number.isFinite(p.y);
}

/** A stable colour per person (same on every screen), from a hash of their id. */
export function colorFor(id: string): string {
	let hash = 2166136261;
	for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
	return `hsl(${(hash >>> 0) % 360} 85% 65%)`;
}
