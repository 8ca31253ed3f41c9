import type { FeedCard, FeedRun } from '$shared/feed';

/**
 * A network's live feed over Server-Sent Events (`GET /api/networks/:id/feed`), for phones,
 * the projector and display screens: plain JSON events, no Yjs. The server sends a
 * `snapshot` on every (re)connect, so reconnecting is all it takes to catch up.
 *
 * EventSource retries by itself after a dropped connection, but gives up for good when the
 * server answers with an error status, and phones that slept may hold a dead socket. So:
 * whenever the page becomes visible again or the network comes back, a closed stream is
 * opened anew; a stream that failed is retried with a growing delay; a `closed` event
 * (removed, event over) ends it for good with the server's reason.
 */
export interface QueueSummary {
	length: number;
	nextPrompt?: string;
}

export interface LiveFeedOptions {
	/** Cards kept (and asked for in the snapshot), newest first. */
	keep?: number;
	/** Called after the stream failed for good (e.g. a 403): the page may find out why. */
	onfail?: () => void;
	/** Called on every queue change (including the snapshot's). */
	onqueue?: (queue: QueueSummary) => void;
}

export class LiveFeed {
	run = $state.raw<FeedRun | null>(null);
	/** The current run's cards, newest first. */
	cards = $state.raw<FeedCard[]>([]);
	queue = $state.raw<QueueSummary>({ length: 0 });
	connected = $state(false);
	/** Why the server ended the stream for good, in its words. */
	ended = $state<string | null>(null);

	private source: EventSource | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private retryMs = 2000;
	private all: FeedCard[] = [];
	private readonly keep: number;

	constructor(
		private readonly url: string,
		private readonly options: LiveFeedOptions = {}
	) {
		this.keep = options.keep ?? 12;
	}

	/** Opens the stream and watches for the page waking up; returns the clean-up. */
	start(): () => void {
		this.open();
		const wake = () => {
			if (document.visibilityState === 'visible') this.reconnectIfClosed();
		};
		const online = () => this.reconnectIfClosed();
		document.addEventListener('visibilitychange', wake);
		window.addEventListener('online', online);
		window.addEventListener('pageshow', online);
		return () => {
			document.removeEventListener('visibilitychange', wake);
			window.removeEventListener('online', online);
			window.removeEventListener('pageshow', online);
			this.close();
		};
	}

	/** Opens again unless the stream is open or connecting (or ended for good). */
	reconnectIfClosed(): void {
		if (this.ended) return;
		if (this.source && this.source.readyState !== EventSource.CLOSED) return;
		this.open();
	}

	close(): void {
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.retryTimer = null;
		this.source?.close();
		this.source = null;
		this.connected = false;
	}

	private open() {
		this.close();
		const sep = this.url.includes('?') ? '&' : '?';
		const source = new EventSource(`${this.url}${sep}cards=${this.keep}`);
		this.source = source;
		source.addEventListener('open', () => {
			this.connected = true;
			this.retryMs = 2000;
		});
		source.addEventListener('snapshot', (e) => {
			const data = parse<{ run?: FeedRun | null; cards?: FeedCard[]; queue?: QueueSummary }>(e);
			if (!data) return;
			this.connected = true;
			this.all = [];
			this.setRun(data.run && data.run.runId ? data.run : null);
			for (const card of data.cards ?? []) this.add(card, false);
			this.publish();
			if (data.queue) this.setQueue(data.queue);
		});
		source.addEventListener('card', (e) => {
			const card = parse<FeedCard>(e);
			if (card) {
				this.add(card, true);
				this.publish();
			}
		});
		source.addEventListener('run', (e) => {
			const run = parse<FeedRun>(e);
			if (!run) return;
			this.setRun(run.runId ? run : null);
			this.publish();
		});
		source.addEventListener('queue', (e) => {
			const queue = parse<QueueSummary>(e);
			if (queue) this.setQueue(queue);
		});
		source.addEventListener('closed', (e) => {
			this.ended = parse<{ reason?: string }>(e)?.reason ?? 'The feed ended.';
			this.close();
		});
		source.addEventListener('error', () => {
			this.connected = false;
			if (source !== this.source || source.readyState !== EventSource.CLOSED) return; // retrying by itself
			// Refused (403, 404…) or the server is away: try again later, and let the page ask why.
			this.options.onfail?.();
			this.retryTimer = setTimeout(() => this.reconnectIfClosed(), this.retryMs);
			this.retryMs = Math.min(this.retryMs * 2, 30_000);
		});
	}

	private setRun(run: FeedRun | null) {
		this.run = run;
	}

	private setQueue(queue: QueueSummary) {
		this.queue = queue;
		this.options.onqueue?.(queue);
	}

	private add(card: FeedCard, fresh: boolean) {
		if (!card || typeof card.id !== 'string' || typeof card.seq !== 'number') return;
		if (this.all.some((c) => c.id === card.id)) return;
		this.all.push(card);
		if (fresh && this.all.length > this.keep * 4) this.all.splice(0, this.all.length - this.keep * 4);
	}

	/** Cards of the run the run map names, newest first (older runs' cards leave at once). */
	private publish() {
		const runId = this.run?.runId;
		// A copy either way: `all` stays in arrival order, which its trimming relies on.
		const mine = runId ? this.all.filter((c) => c.runId === runId) : this.all.slice();
		this.cards = mine.sort((a, b) => b.seq - a.seq).slice(0, this.keep);
	}
}

function parse<T>(e: Event): T | null {
	try {
		return JSON.parse((e as MessageEvent<string>).data) as T;
	} catch {
		return null;
	}
}

export const LIVE = new Set(['running', 'queued', 'starting', 'pending', 'paused']);
