import { getContext, setContext } from 'svelte';
import type { FeedBinding } from './feed-binding';
import type { FeedCard } from '$shared/feed';
import type { FeedSnapshot } from './types';

/**
 * The feed as Svelte state: a thin reactive mirror of a FeedBinding's snapshots, handed to
 * nodes through context (Svelte Flow renders them, so they cannot take it as a prop).
 */
export class FeedState {
	snapshot = $state.raw<FeedSnapshot>({ run: null, recent: [], latestByNode: new Map(), running: new Set() });
	readonly run = $derived(this.snapshot.run);

	private unsubscribe: (() => void) | null = null;

	/** Follows a binding; a later call switches to another (e.g. after the socket opens). */
	follow(binding: FeedBinding): void {
		this.unsubscribe?.();
		this.unsubscribe = binding.subscribe((s) => (this.snapshot = s));
	}

	latest(nodeId: string): FeedCard | undefined {
		return this.snapshot.latestByNode.get(nodeId);
	}

	isRunning(nodeId: string): boolean {
		return this.snapshot.running.has(nodeId);
	}

	destroy(): void {
		this.unsubscribe?.();
		this.unsubscribe = null;
	}
}

const KEY = Symbol('panic-feed');
export const setFeed = (feed: FeedState) => setContext(KEY, feed);
/** Undefined outside a page that opened the feed: nodes then simply show no cards. */
export const getFeed = () => getContext<FeedState | undefined>(KEY);
