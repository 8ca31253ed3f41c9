import * as Y from 'yjs';
import type { Card, RunState } from '../shared/feed';

/**
 * The feed doc (DESIGN.md "Sync contract"): `cards`, an array of plain card objects capped
 * at the newest `FEED_CARD_LIMIT`, and `run`, a map with the active run's state. The engine
 * writes it through the feed room's `change()` with origin 'engine', the path client
 * updates take, so it is persisted before anyone sees it.
 */
export const FEED_CARD_LIMIT = 200;

// The values' types are shared with the pages that read the feed.
export type { Card, RunState } from '../shared/feed';

/** The slice of a sync room the feed needs. */
export interface FeedRoom {
	change(fn: (doc: Y.Doc) => void, origin?: unknown): Promise<void>;
}

export const cardsOf = (doc: Y.Doc) => doc.getArray<Card>('cards');
export const runMapOf = (doc: Y.Doc) => doc.getMap<unknown>('run');

/**
 * Bound on what a feed doc keeps (issue 18): a doc that runs for days holds the newest
 * FEED_CARD_LIMIT cards, the run map's current fields and one merged tombstone per writing lane,
 * however many cards and run updates went through it.
 *
 * Yjs never forgets a deleted item, but it merges deleted items whose ids are consecutive
 * (same client, clock after clock) into one. Written under the doc's own client id, a step's
 * card and its run-map fields interleave their clocks, so no two trimmed cards or overwritten
 * `step` values are ever consecutive: each stays a separate struct (~0.7 KB of heap and ~30
 * bytes of encoded state per step, forever: 40 MB an hour for five loops at 200 ms). So each
 * stream of writes gets its own client id, a "lane": one for the cards array, one per run-map
 * key. Within a lane every write follows the previous one, and whatever it deletes merges with
 * what was deleted before. The lane ids are random per doc instance (a reload or another process
 * gets its own), so two writers never share an id; they live only as long as the doc.
 */
const lanes = new WeakMap<Y.Doc, Map<string, number>>();

function inLane<T>(doc: Y.Doc, lane: string, write: () => T): T {
	let ids = lanes.get(doc);
	if (!ids) lanes.set(doc, (ids = new Map()));
	let id = ids.get(lane);
	if (id === undefined) {
		do id = crypto.getRandomValues(new Uint32Array(1))[0];
		while (id === doc.clientID || doc.store.clients.has(id));
		ids.set(lane, id);
	}
	// Yjs reads doc.clientID for each item it creates, so a write inside a transaction may switch it.
	const own = doc.clientID;
	doc.clientID = id;
	try {
		return write();
	} finally {
		doc.clientID = own;
	}
}

/** Appends cards, trimming the oldest beyond the limit (the trimmed ones merge into one tombstone). */
export function appendCards(doc: Y.Doc, cards: Card[], limit = FEED_CARD_LIMIT): void {
	const array = cardsOf(doc);
	inLane(doc, 'cards', () => {
		array.push(cards.map(withoutUndefined));
		if (array.length > limit) array.delete(0, array.length - limit);
	});
}

/** Sets fields of the run map; `replace` clears fields of a previous run first. Each key writes in its own lane. */
export function setRunState(doc: Y.Doc, state: Partial<RunState>, replace = false): void {
	const map = runMapOf(doc);
	if (replace) for (const key of [...map.keys()]) map.delete(key);
	for (const [key, value] of Object.entries(state)) {
		if (value === undefined) map.delete(key);
		else inLane(doc, `run:${key}`, () => map.set(key, value));
	}
}

/** Updates the run map only while it still shows `runId`: a replaced run never overwrites its successor. */
export function updateRunState(doc: Y.Doc, runId: string, state: Partial<RunState>): void {
	if (runMapOf(doc).get('runId') === runId) setRunState(doc, state);
}

export interface FeedWriterOptions {
	/** Told of each write that failed (the batch is lost: nobody saw it, nothing stored it). */
	onError?: (error: unknown) => void;
	/**
	 * After a failed write: a fresh room to write to if the room itself failed, or null if it
	 * is still open (the write was at fault, not the room). Without it, a failed room stays.
	 */
	renew?: () => Promise<FeedRoom | null>;
}

/**
 * Batches feed mutations into as few room changes as the store can keep up with: while one
 * change is being persisted, later mutations gather and go out together next. A fast run
 * therefore costs one feed write per persistence round trip, not one per step.
 */
export class FeedWriter {
	private queued: Array<(doc: Y.Doc) => void> = [];
	private writing: Promise<void> | null = null;
	private readonly onError: (error: unknown) => void;
	private readonly renew?: () => Promise<FeedRoom | null>;

	constructor(
		private room: FeedRoom,
		options: FeedWriterOptions = {}
	) {
		this.onError = options.onError ?? ((error) => console.error('[engine] feed write failed', error));
		this.renew = options.renew;
	}

	write(mutation: (doc: Y.Doc) => void): void {
		this.queued.push(mutation);
		this.writing ??= this.drain();
	}

	/** Resolves once every mutation written so far is durable (or failed and was logged). */
	async idle(): Promise<void> {
		while (this.writing) await this.writing;
	}

	private async drain(): Promise<void> {
		// Let the current task finish queuing, so its mutations share one change.
		await Promise.resolve();
		try {
			while (this.queued.length) {
				const batch = this.queued;
				this.queued = [];
				try {
					await this.apply(batch);
				} catch (error) {
					this.onError(error);
				}
			}
		} finally {
			this.writing = null;
		}
	}

	/**
	 * One batch into the room. If the room failed (its store refused the write), a fresh room,
	 * loaded from the store, takes the batch again: the failed one never persisted it, and
	 * every later write would fail there too.
	 */
	private async apply(batch: Array<(doc: Y.Doc) => void>): Promise<void> {
		const change = (room: FeedRoom) =>
			room.change((doc) => {
				for (const mutation of batch) mutation(doc);
			}, 'engine');
		try {
			await change(this.room);
		} catch (error) {
			const fresh = await this.renew?.().catch((renewError: unknown) => {
				this.onError(renewError);
				return null;
			});
			if (!fresh) throw error;
			this.onError(error); // said once, even though the batch made it into the fresh room
			this.room = fresh;
			await change(fresh);
		}
	}
}

function withoutUndefined<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
