import type { RunAnalysis } from '../shared/analysis';
import type { StoredPayload } from '../db/schema';
import { badRequest, notFound } from '../errors';
import { admitViewer, SSE_PING, SSE_RETRY, sseFrame as frame, SseHubs, type StreamAccessDeps, type StreamViewer } from '../http/sse-hub';
import type { Credentials } from '../networks/room-access';
import type { EngineEventMap, EngineEventSource } from './events';
import { payloadView } from './payloads';
import type { InvocationRow, RunReader, RunRow } from './run-reader';
import { invocationJson, runJson } from './runs-service';

/**
 * One run as it happens, as Server-Sent Events for the run page (`GET /api/runs/:id/events`).
 * The caller authorises the viewer and counts the connection; this module only follows the
 * run. One hub per run is shared by everyone watching it: the engine's events for that run
 * (`invocations`, `card`, `paused`, `resumed`, `ended`) mark it changed, and the hub reads the
 * run once per change window for all its subscribers rather than once per event per viewer:
 *
 *   run          { ...run as the API shows it }      first, and whenever it may have changed
 *   invocations  { items, total }                    the newest `TAIL` invocations, with the run
 *   analysis     { analysis, outputs }               at most every `analysisEveryMs`, when steps changed
 *   end          { status, stopCause }               the run ended; the stream closes after it
 *   closed       { reason }                          access was taken away; the stream closes after it
 *
 * The analysis is the one the run page charts, computed at most every couple of seconds for
 * all viewers together (less often when it takes long), over the run's newest
 * `ANALYSIS_WINDOW` steps, with the recurrence matrix and the drift series bounded so that a
 * long run neither costs nor sends more each time than one of 2,000 steps. Each update's read
 * is the run row (its counters included) and the newest `TAIL` invocations: nothing in it
 * grows with the run.
 */
export interface RunStreamsDeps extends StreamAccessDeps {
	events: EngineEventSource;
	reader: Pick<RunReader, 'get' | 'invocations' | 'spend' | 'outputs'>;
	/** The run's analysis, access already decided (the hub is shared by every viewer). */
	analyse(runId: string): Promise<RunAnalysis>;
	/** Reads of the run and its newest invocations wait at least this long after a change (ms). */
	refreshMs?: number;
	analysisEveryMs?: number;
	heartbeatMs?: number;
	/** Bytes queued for one subscriber beyond which it is dropped. */
	maxQueuedBytes?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Invocations each `invocations` event carries: the run page's newest page. */
export const TAIL = 50;
/** Drift points sent live at most (evenly chosen); the page load has them all. */
export const LIVE_DRIFT_POINTS = 600;
/** The live analysis waits at least this many times as long as the last one took (so ≤ 20% of the time). */
const ANALYSIS_SHARE = 5;
/** Cluster representatives whose outputs go with the analysis (the page shows as many). */
const REPRESENTATIVES = 12;

/** Who a stream is for, as far as taking access away needs to know. */
export type RunViewer = StreamViewer;

interface Subscriber {
	viewer: RunViewer;
	controller: ReadableStreamDefaultController<Uint8Array>;
	open: boolean;
	onEnd?: () => void;
}

interface Hub {
	runId: string;
	networkId: string;
	subscribers: Set<Subscriber>;
	/** Subscribers still reading their first snapshot: the hub must stay for them. */
	joining: number;
	refreshTimer?: ReturnType<typeof setTimeout>;
	analysisTimer?: ReturnType<typeof setTimeout>;
	lastRefreshAt: number;
	lastAnalysisAt: number;
	/** How long the last analysis took: the next waits at least `ANALYSIS_SHARE` times as long. */
	lastAnalysisMs: number;
	/** Steps the last analysis saw; the next waits for more. */
	analysedSteps: number;
	/** The run as last read. */
	run?: ReturnType<typeof runJson>;
	/** What a subscriber joining now is sent first. */
	last: { run?: Uint8Array; invocations?: Uint8Array; analysis?: Uint8Array };
	/** Reads are serialised: a slow one is never overtaken by a newer one answering first. */
	reading: Promise<void>;
	ended: boolean;
	/** Once ended: settles when the last state went out and the streams closed. */
	finished?: Promise<void>;
	detach(): void;
}

export class RunStreams {
	private hubs = new SseHubs<Subscriber, Hub>();
	private closed = false;
	private readonly refreshMs: number;
	private readonly analysisEveryMs: number;
	private readonly heartbeatMs: number;
	private readonly maxQueuedBytes: number;
	private readonly log: NonNullable<RunStreamsDeps['log']>;

	constructor(private deps: RunStreamsDeps) {
		this.refreshMs = deps.refreshMs ?? 250;
		this.analysisEveryMs = deps.analysisEveryMs ?? 2000;
		this.heartbeatMs = deps.heartbeatMs ?? 20_000;
		this.maxQueuedBytes = deps.maxQueuedBytes ?? 1024 * 1024;
		this.log = deps.log ?? console;
	}

	/**
	 * A stream of one run for a viewer already let in. It starts with the run, its newest
	 * invocations and (once computed) the analysis; a run that has already ended sends these
	 * and `end`, and closes. `onEnd` is called once when the stream ends, however it ends.
	 */
	async open(run: RunRow, viewer: RunViewer, onEnd?: () => void): Promise<ReadableStream<Uint8Array>> {
		if (this.closed) throw new Error('The server is shutting down.');
		const hub = this.hubs.get(run.id) ?? this.createHub(run.id, run.networkId);
		hub.joining++;
		try {
			// The first read goes to this subscriber alone, so it need not wait for a change window.
			if (!hub.last.run) await this.read(hub);
			// An ended run: its last state and analysis, then `end`.
			if (hub.ended) await hub.finished;
		} finally {
			hub.joining--;
		}
		// The analysis of a long run takes a moment: it follows, the run and its invocations do not wait for it.
		if (!hub.last.analysis) this.scheduleAnalysis(hub);
		const subscriber: Subscriber = { viewer, open: true, onEnd } as Subscriber;
		return new ReadableStream<Uint8Array>(
			{
				start: (controller) => {
					subscriber.controller = controller;
					controller.enqueue(SSE_RETRY);
					for (const chunk of [hub.last.run, hub.last.invocations, hub.last.analysis]) if (chunk) controller.enqueue(chunk);
					if (hub.ended || this.closed) {
						controller.enqueue(this.endFrame(hub));
						controller.close();
						this.leave(hub, subscriber);
						return;
					}
					hub.subscribers.add(subscriber);
				},
				cancel: () => this.leave(hub, subscriber)
			},
			new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 })
		);
	}

	/**
	 * The stream of a run for whoever `credentials` say is asking: anyone who may read the
	 * network's feed room watches its runs (audience sessions and kiosk screens aside: they see
	 * the feed, not the run page). The connection is counted before anything is read.
	 */
	async watch(runId: string, credentials: Pick<Credentials, 'user' | 'session'>, address: string): Promise<ReadableStream<Uint8Array>> {
		if (!RUN_ID.test(runId)) throw badRequest('That is not a run id.');
		const run = await this.deps.reader.get(runId);
		if (!run) throw notFound('No such run.');
		// A logged-in stranger is told the run does not exist, as `GET /api/runs/:id` does.
		const { viewer, release } = await admitViewer(this.deps, run.networkId, credentials, address, () => notFound('No such run.'));
		try {
			return await this.open(run, viewer, release);
		} catch (error) {
			release();
			throw error;
		}
	}

	/**
	 * Access was taken away (a member removed, the network made private, a logout, the network
	 * deleted): the matching streams of the network's runs (of every network for `null`) end
	 * with `closed { reason }`. Returns how many ended.
	 */
	disconnect(networkId: string | null, match: (viewer: RunViewer) => boolean, reason: string): number {
		return this.hubs.disconnect(networkId, match, reason, (hub, subscriber, closed) => {
			this.send(hub, subscriber, closed);
			this.end(hub, subscriber);
		});
	}

	/** Open streams of a run. */
	watching(runId: string): number {
		return this.hubs.watching(runId);
	}

	/** Shutdown: every stream ends, every timer goes. */
	async close(): Promise<void> {
		this.closed = true;
		for (const hub of this.hubs.all()) {
			for (const subscriber of [...hub.subscribers]) this.end(hub, subscriber);
			this.dispose(hub);
		}
	}

	private createHub(runId: string, networkId: string): Hub {
		const mine = (e: { runId: string }) => e.runId === runId;
		const changed = (e: { runId: string }) => mine(e) && this.changed(hub);
		const ended = (e: EngineEventMap['ended'][0]) => mine(e) && this.finish(hub);
		const { events } = this.deps;
		const hub: Hub = {
			runId,
			networkId,
			subscribers: new Set(),
			joining: 0,
			lastRefreshAt: 0,
			lastAnalysisAt: 0,
			lastAnalysisMs: 0,
			analysedSteps: -1,
			last: {},
			reading: Promise.resolve(),
			ended: false,
			detach: () => {
				events.off('invocations', changed);
				events.off('card', changed);
				events.off('paused', changed);
				events.off('resumed', changed);
				events.off('settingsChanged', changed);
				events.off('ended', ended);
			}
		};
		// Listening before the first read: a change while it reads is not missed.
		events.on('invocations', changed);
		events.on('card', changed);
		events.on('paused', changed);
		events.on('resumed', changed);
		events.on('settingsChanged', changed);
		events.on('ended', ended);
		this.hubs.add(runId, hub, this.heartbeatMs, (_, subscriber) => this.send(hub, subscriber, SSE_PING));
		return hub;
	}

	/** Something of the run changed: one read soon (not before `refreshMs`), and the analysis when due. */
	private changed(hub: Hub) {
		if (hub.ended || hub.refreshTimer) return;
		const wait = Math.max(this.refreshMs, hub.lastRefreshAt + this.refreshMs * 2 - Date.now());
		hub.refreshTimer = setTimeout(() => {
			hub.refreshTimer = undefined;
			void this.read(hub).then(() => this.scheduleAnalysis(hub));
		}, wait);
		hub.refreshTimer.unref?.();
	}

	private scheduleAnalysis(hub: Hub) {
		if (hub.ended || hub.analysisTimer) return;
		// Every `analysisEveryMs`, or less often when one takes long (a run beyond the analysis
		// window): the live analysis never holds the main thread more than 1/ANALYSIS_SHARE of the time.
		const every = Math.max(this.analysisEveryMs, hub.lastAnalysisMs * ANALYSIS_SHARE);
		const wait = Math.max(0, hub.lastAnalysisAt + every - Date.now());
		hub.analysisTimer = setTimeout(() => {
			hub.analysisTimer = undefined;
			void this.analyse(hub);
		}, wait);
		hub.analysisTimer.unref?.();
	}

	/** Reads the run and its newest invocations and sends them, after any read under way. */
	private read(hub: Hub): Promise<void> {
		const next = hub.reading.then(async () => {
			try {
				const run = await this.readNow(hub);
				// Ended between the events and this read (or before anyone watched): say so.
				if (!run || run.status !== 'running') this.finish(hub);
			} catch (error) {
				this.log.error(`[runs] live view of ${hub.runId}: reading failed`, error);
			}
		});
		hub.reading = next.catch(() => {});
		return next;
	}

	private async readNow(hub: Hub): Promise<RunRow | null> {
		hub.lastRefreshAt = Date.now();
		const run = await this.deps.reader.get(hub.runId);
		if (!run) return null;
		const total = run.nextSeq - 1;
		const [rows, spend] = await Promise.all([
			this.deps.reader.invocations(hub.runId, Math.max(0, total - TAIL), TAIL),
			this.deps.reader.spend([hub.runId])
		]);
		hub.run = runJson(run, spend.get(hub.runId) ?? 0);
		this.publish(hub, 'run', hub.run);
		// A step started between the run's read and this one is left for the next read, so the
		// tail always ends at the total it is sent with (the page numbers the list by it).
		const items = rows.filter((r: InvocationRow) => r.seq <= total).map((r: InvocationRow) => invocationJson(r));
		this.publish(hub, 'invocations', { items, total });
		return run;
	}

	/** Recomputes the analysis when there are new steps (or `force`), and sends it. */
	private async analyse(hub: Hub, force = false): Promise<void> {
		hub.lastAnalysisAt = Date.now();
		try {
			const analysis = await this.deps.analyse(hub.runId);
			hub.lastAnalysisMs = Date.now() - hub.lastAnalysisAt;
			if (!force && analysis.steps === hub.analysedSteps && hub.last.analysis) return;
			hub.analysedSteps = analysis.steps;
			const reps = [...analysis.clusters].sort((a, b) => b.size - a.size).slice(0, REPRESENTATIVES).map((c) => c.representativeSeq);
			const stored = await this.deps.reader.outputs(hub.runId, reps);
			const outputs: Record<number, ReturnType<typeof payloadView> | null> = {};
			for (const [seq, output] of stored as Map<number, StoredPayload | null>) outputs[seq] = output ? payloadView(output) : null;
			this.publish(hub, 'analysis', { analysis: { ...analysis, drift: evenly(analysis.drift, LIVE_DRIFT_POINTS) }, outputs });
		} catch (error) {
			this.log.error(`[runs] live view of ${hub.runId}: analysis failed`, error);
		}
	}

	private publish(hub: Hub, name: 'run' | 'invocations' | 'analysis', data: unknown) {
		const chunk = frame(name, data);
		hub.last[name] = chunk;
		this.broadcast(hub, chunk);
	}

	private endFrame(hub: Hub) {
		return frame('end', { status: hub.run?.status ?? 'unknown', stopCause: hub.run?.stopCause ?? null });
	}

	/** The run ended: a last read and analysis go to everyone, then `end`, and the streams close. */
	private finish(hub: Hub) {
		if (hub.ended) return;
		hub.ended = true;
		if (hub.refreshTimer) clearTimeout(hub.refreshTimer);
		if (hub.analysisTimer) clearTimeout(hub.analysisTimer);
		hub.refreshTimer = hub.analysisTimer = undefined;
		hub.detach();
		// The ended run's row is written by now; read it (and the final analysis) once more.
		hub.finished = hub.reading
			.then(async () => {
				await this.readNow(hub);
				await this.analyse(hub, true);
			})
			.catch((error) => this.log.error(`[runs] live view of ${hub.runId}: final read failed`, error))
			.finally(() => {
				const end = this.endFrame(hub);
				for (const subscriber of [...hub.subscribers]) {
					this.send(hub, subscriber, end);
					this.end(hub, subscriber);
				}
				this.dispose(hub);
			});
	}

	private broadcast(hub: Hub, chunk: Uint8Array) {
		for (const subscriber of [...hub.subscribers]) this.send(hub, subscriber, chunk);
	}

	private send(hub: Hub, subscriber: Subscriber, chunk: Uint8Array) {
		if (!subscriber.open) return;
		const desired = subscriber.controller.desiredSize;
		// A viewer that stopped reading (a laptop asleep) is dropped rather than buffered for;
		// EventSource reconnects and starts from a fresh snapshot.
		if (desired !== null && desired < -this.maxQueuedBytes) {
			try {
				subscriber.controller.error(new Error('The run stream fell too far behind.'));
			} catch {
				// already closed
			}
			this.leave(hub, subscriber);
			return;
		}
		try {
			subscriber.controller.enqueue(chunk);
		} catch {
			this.leave(hub, subscriber);
		}
	}

	private end(hub: Hub, subscriber: Subscriber) {
		if (!subscriber.open) return;
		try {
			subscriber.controller.close();
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
		if (!hub.subscribers.size && !hub.joining) this.dispose(hub);
	}

	private dispose(hub: Hub) {
		this.hubs.remove(hub.runId, hub);
		if (hub.refreshTimer) clearTimeout(hub.refreshTimer);
		if (hub.analysisTimer) clearTimeout(hub.analysisTimer);
		hub.refreshTimer = hub.analysisTimer = undefined;
		hub.detach();
	}
}

/** At most `max` items, evenly chosen, the first and last kept. */
function evenly<T>(items: readonly T[], max: number): T[] {
	if (items.length <= max) return [...items];
	return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]);
}
