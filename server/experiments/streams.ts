import { AppError, badRequest, notFound } from '../errors';
import { admitViewer, SSE_PING, SSE_RETRY, sseFrame as frame, SseHubs, type StreamAccessDeps, type StreamViewer } from '../http/sse-hub';
import type { Credentials } from '../networks/room-access';
import type { ExperimentService } from './service';
import { ACTIVE, type ExperimentStore } from './store';
import { experimentJson, experimentRunJson } from './views';

/**
 * An experiment as it happens, as Server-Sent Events for its page (`GET /api/experiments/:id/events`):
 *
 *   experiment  { ...experiment as the API shows it }   first, and whenever its progress changed
 *   run         { seq, prompt, runId, status, steps, … }  each run, first all, then as one starts or ends
 *   end         { status, reason }                      it ended; the stream closes after it
 *   closed      { reason }                              access was taken away; the stream closes after it
 *
 * Driven by the experiment service's `changed` events (from every process, over the bus), not
 * by polling: one hub per experiment reads it once per change window for all its viewers and
 * sends each run only when it changed. Who may watch is the network's feed-room policy, and
 * each stream counts under the connection limits, as run pages do (engine/run-streams.ts).
 */
export interface ExperimentStreamsDeps extends StreamAccessDeps {
	service: Pick<ExperimentService, 'events'>;
	store: Pick<ExperimentStore, 'get' | 'runs'>;
	refreshMs?: number;
	heartbeatMs?: number;
	/** Bytes queued for one subscriber beyond which it is dropped. */
	maxQueuedBytes?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

interface Subscriber {
	viewer: StreamViewer;
	controller?: ReadableStreamDefaultController<Uint8Array>;
	open: boolean;
	/** Joined since the last read: sent everything, not only what changed. */
	fresh: boolean;
	release: () => void;
}

interface Hub {
	id: string;
	networkId: string;
	subscribers: Set<Subscriber>;
	/** Each run's last sent JSON, by seq. */
	sent: Map<number, string>;
	timer?: ReturnType<typeof setTimeout>;
	lastReadAt: number;
	reading: Promise<void>;
}

export class ExperimentStreams {
	private hubs = new SseHubs<Subscriber, Hub>();
	private closed = false;
	private readonly refreshMs: number;
	private readonly heartbeatMs: number;
	private readonly maxQueuedBytes: number;
	private readonly onChanged = (id: string) => {
		const hub = this.hubs.get(id);
		if (hub) this.schedule(hub);
	};

	constructor(private deps: ExperimentStreamsDeps) {
		this.refreshMs = deps.refreshMs ?? 250;
		this.heartbeatMs = deps.heartbeatMs ?? 20_000;
		this.maxQueuedBytes = deps.maxQueuedBytes ?? 1024 * 1024;
		deps.service.events.on('changed', this.onChanged);
	}

	/** A stream of one experiment for whoever may see its network; counted under the connection limits. */
	async watch(id: string, credentials: Pick<Credentials, 'user' | 'session'>, address: string): Promise<ReadableStream<Uint8Array>> {
		if (this.closed) throw new AppError(503, 'The server is shutting down.');
		if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw badRequest('That is not an experiment id.');
		const row = await this.deps.store.get(id);
		if (!row) throw notFound('No such experiment.');
		const { viewer, release } = await admitViewer(this.deps, row.networkId, credentials, address, () => notFound('No such experiment.'));
		const hub = this.hubs.get(id) ?? this.createHub(id, row.networkId);
		const subscriber: Subscriber = { viewer, open: true, fresh: true, release };
		hub.subscribers.add(subscriber);
		const stream = new ReadableStream<Uint8Array>(
			{
				start: (controller) => {
					subscriber.controller = controller;
					controller.enqueue(SSE_RETRY);
				},
				cancel: () => this.end(hub, subscriber)
			},
			{ highWaterMark: this.maxQueuedBytes, size: (chunk) => chunk.byteLength }
		);
		// Its first state at once, not after a change window.
		void this.read(hub);
		return stream;
	}

	/** Access was taken away: the matching streams of the network's experiments (every network's for null) end, saying why. */
	disconnect(networkId: string | null, match: (viewer: StreamViewer) => boolean, reason: string): number {
		return this.hubs.disconnect(networkId, match, reason, (hub, subscriber, closed) => {
			this.send(hub, subscriber, closed);
			this.end(hub, subscriber);
		});
	}

	/** Open streams of an experiment. */
	watching(id: string): number {
		return this.hubs.watching(id);
	}

	async close(): Promise<void> {
		this.closed = true;
		this.deps.service.events.off('changed', this.onChanged);
		for (const hub of this.hubs.all()) for (const s of [...hub.subscribers]) this.end(hub, s);
	}

	private createHub(id: string, networkId: string): Hub {
		const hub: Hub = { id, networkId, subscribers: new Set(), sent: new Map(), lastReadAt: 0, reading: Promise.resolve() };
		this.hubs.add(id, hub, this.heartbeatMs, (_, s) => this.send(hub, s, SSE_PING));
		return hub;
	}

	/** At most one read per change window, however many changes came. */
	private schedule(hub: Hub) {
		if (hub.timer) return;
		const wait = Math.max(0, hub.lastReadAt + this.refreshMs - Date.now());
		hub.timer = setTimeout(() => {
			hub.timer = undefined;
			void this.read(hub);
		}, wait);
	}

	/** Reads the experiment and its runs once, and sends each subscriber what it has not seen. */
	private read(hub: Hub): Promise<void> {
		hub.reading = hub.reading.then(async () => {
			if (!hub.subscribers.size) return;
			hub.lastReadAt = Date.now();
			try {
				const row = await this.deps.store.get(hub.id);
				if (!row) {
					for (const s of [...hub.subscribers]) this.send(hub, s, frame('closed', { reason: 'The experiment was deleted.' })), this.end(hub, s);
					return;
				}
				const runs = (await this.deps.store.runs(hub.id)).map((r) => experimentRunJson(r, row.prompts));
				const experiment = frame('experiment', experimentJson(row));
				const all = runs.map((r) => frame('run', JSON.stringify(r)));
				const changed = runs.flatMap((r, i) => {
					const text = JSON.stringify(r);
					if (hub.sent.get(r.seq) === text) return [];
					hub.sent.set(r.seq, text);
					return [all[i]];
				});
				const ended = !ACTIVE.includes(row.status);
				for (const s of [...hub.subscribers]) {
					this.send(hub, s, experiment);
					for (const f of s.fresh ? all : changed) this.send(hub, s, f);
					s.fresh = false;
					if (ended) {
						this.send(hub, s, frame('end', { status: row.status, reason: row.reason }));
						this.end(hub, s);
					}
				}
			} catch (error) {
				(this.deps.log ?? console).error(`[experiments] reading ${hub.id} for its streams failed`, error);
			}
		});
		return hub.reading;
	}

	private send(hub: Hub, subscriber: Subscriber, chunk: Uint8Array) {
		const controller = subscriber.controller;
		if (!subscriber.open || !controller) return;
		// A viewer that stopped reading: dropped rather than buffered without end.
		if ((controller.desiredSize ?? 0) < chunk.byteLength) return this.end(hub, subscriber);
		controller.enqueue(chunk);
	}

	private end(hub: Hub, subscriber: Subscriber) {
		if (!subscriber.open) return;
		subscriber.open = false;
		hub.subscribers.delete(subscriber);
		subscriber.release();
		try {
			subscriber.controller?.close();
		} catch {
			// already closed by the client
		}
		if (!hub.subscribers.size) {
			if (hub.timer) clearTimeout(hub.timer);
			this.hubs.remove(hub.id, hub);
		}
	}
}
