import * as Y from 'yjs';
import { MODALITIES, type Modality } from '$shared/platforms/types';
import type { FeedCard, FeedRun } from '$shared/feed';
import { isLive, loopFinding, type FeedSnapshot } from './types';

/** The feed room for a network: `<networkId>/feed` (DESIGN.md, "Sync contract"). */
export const feedRoom = (networkId: string) => `${networkId}/feed`;

export const runMapOf = (doc: Y.Doc) => doc.getMap<unknown>('run');
export const cardsOf = (doc: Y.Doc) => doc.getArray<unknown>('cards');

const EMPTY: FeedSnapshot = { run: null, recent: [], latestByNode: new Map(), running: new Set() };

/**
 * Read-only view of a feed doc as plain snapshots. Framework-free like GraphBinding: the
 * provider fills the doc, this re-reads it after every update and tells subscribers.
 *
 * The doc is written by the server alone and may hold cards of an earlier run until the
 * server trims them, so cards are filtered to the run the `run` map names: when a new run
 * replaces the old one, the old run's pictures leave the canvas at once. Values are
 * validated field by field rather than trusted, because a malformed card must cost one
 * card, not the canvas.
 */
export class FeedBinding {
	private listeners = new Set<(snapshot: FeedSnapshot) => void>();
	private snapshot: FeedSnapshot = EMPTY;

	constructor(
		readonly doc: Y.Doc,
		private readonly recentLimit = 50
	) {
		this.snapshot = this.read();
		doc.on('update', this.onUpdate);
	}

	get current(): FeedSnapshot {
		return this.snapshot;
	}

	/** Calls `fn` now and after every change; returns the unsubscribe function. */
	subscribe(fn: (snapshot: FeedSnapshot) => void): () => void {
		this.listeners.add(fn);
		fn(this.snapshot);
		return () => this.listeners.delete(fn);
	}

	destroy(): void {
		this.doc.off('update', this.onUpdate);
		this.listeners.clear();
	}

	private onUpdate = () => {
		this.snapshot = this.read();
		for (const fn of this.listeners) fn(this.snapshot);
	};

	private read(): FeedSnapshot {
		const run = parseRun(runMapOf(this.doc).toJSON());
		const all: FeedCard[] = [];
		for (const raw of cardsOf(this.doc).toArray()) {
			const card = parseCard(raw);
			if (card && (!run || card.runId === run.runId)) all.push(card);
		}
		// The server appends in seq order, but ordering by seq makes that an assumption we
		// don't need (e.g. two in-flight invocations finishing out of order).
		all.sort((a, b) => a.seq - b.seq);
		const latestByNode = new Map<string, FeedCard>();
		for (const card of all) latestByNode.set(card.nodeId, card);
		const running = new Set(isLive(run) ? run!.runningNodeIds : []);
		return { run, recent: all.slice(-this.recentLimit), latestByNode, running };
	}
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The run map as a FeedRun; fields of the wrong type are left out, not trusted. */
function parseRun(raw: Record<string, unknown>): FeedRun | null {
	if (typeof raw.runId !== 'string' || !raw.runId) return null;
	const input = raw.input && typeof raw.input === 'object' ? (raw.input as Record<string, unknown>) : null;
	return {
		runId: raw.runId,
		status: typeof raw.status === 'string' ? raw.status : 'unknown',
		startedAt: str(raw.startedAt),
		step: typeof raw.step === 'number' && Number.isFinite(raw.step) ? raw.step : 0,
		runningNodeIds: Array.isArray(raw.runningNodeIds) ? raw.runningNodeIds.filter((id): id is string => typeof id === 'string') : [],
		runningSeqs: Array.isArray(raw.runningSeqs) ? raw.runningSeqs.filter((seq): seq is number => typeof seq === 'number') : undefined,
		lockoutUntil: str(raw.lockoutUntil),
		stopCause: str(raw.stopCause),
		pausedAt: str(raw.pausedAt),
		input: input && typeof input.kind === 'string' ? { kind: input.kind, text: str(input.text), url: str(input.url) } : undefined,
		error: typeof raw.error === 'string' && raw.error ? raw.error : undefined,
		spendUsd: typeof raw.spendUsd === 'number' && Number.isFinite(raw.spendUsd) && raw.spendUsd >= 0 ? raw.spendUsd : undefined,
		analysis: loopFinding({ ...EMPTY_RUN, analysis: raw.analysis as FeedRun['analysis'] }) ?? undefined
	};
}

/** A run with nothing but the sure fields, for checking a run map's `analysis` alone. */
const EMPTY_RUN: FeedRun = { runId: '', status: '', step: 0, runningNodeIds: [] };

function parseCard(raw: unknown): FeedCard | null {
	if (!raw || typeof raw !== 'object') return null;
	const c = raw as Record<string, unknown>;
	if (typeof c.id !== 'string' || typeof c.runId !== 'string' || typeof c.nodeId !== 'string') return null;
	if (!MODALITIES.includes(c.kind as Modality) || typeof c.seq !== 'number') return null;
	const card: FeedCard = {
		id: c.id,
		runId: c.runId,
		nodeId: c.nodeId,
		modelId: typeof c.modelId === 'string' ? c.modelId : '',
		seq: c.seq,
		kind: c.kind as Modality
	};
	if (typeof c.text === 'string') card.text = c.text;
	// Only same-origin asset paths: the feed must not make browsers load arbitrary URLs.
	if (typeof c.url === 'string' && c.url.startsWith('/')) card.url = c.url;
	if (typeof c.createdAt === 'string') card.createdAt = c.createdAt;
	return card;
}

/** The y-websocket provider surface the feed needs, so the connection can be faked. */
export interface FeedConnection {
	binding: FeedBinding;
	provider: { destroy(): void };
	destroy(): void;
}

/**
 * Opens the feed room beside the graph room: a second stock WebsocketProvider on its own
 * doc (the feed doc is never merged into the graph doc; their lifecycles and authors differ).
 * The provider is passed in as a constructor so this file stays loadable outside a browser.
 */
export function connectFeed<P extends { destroy(): void }>(
	syncUrl: string,
	networkId: string,
	Provider: new (url: string, room: string, doc: Y.Doc) => P
): FeedConnection & { provider: P } {
	const doc = new Y.Doc();
	const binding = new FeedBinding(doc);
	const provider = new Provider(syncUrl, feedRoom(networkId), doc);
	return {
		binding,
		provider,
		destroy() {
			binding.destroy();
			provider.destroy();
			doc.destroy();
		}
	};
}

/** `ws(s)://host/sync` for the page's own origin, as the graph provider uses. */
export const syncUrlFor = (loc: Pick<Location, 'protocol' | 'host'>) => `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/sync`;
