import * as Y from 'yjs';

/**
 * In-place compaction of a graph room's history (issue 18).
 *
 * Why: a graph doc is maps all the way down (DESIGN.md's schema), and Yjs keeps every
 * overwritten map value as a deleted Item: two per note or node move, since x and y are
 * separate keys. Yjs merges or collects neither while the map lives, so a canvas edited for
 * days grows without end, in the room's doc and again in its update gate's shadow (about
 * 210 bytes per deleted Item in each; `npm run bench:graph-history` measures it).
 *
 * What: for every key of every live map, the chain of values ever written to it is
 * [first, …, last]. The server keeps `first` and `last` and turns everything in between (all
 * deleted: a map keeps only its last value) into GC structs, which Yjs merges into one per
 * run of clocks. `last`'s origin is re-pointed at `first`, so a client that syncs afterwards
 * integrates the same chain. Every surviving struct keeps its id, so clients that hold the
 * whole history stay in step with the server: nobody reconnects, nobody's undo is lost.
 *
 * The history is needed for two things, both late. A client that missed some of it (it was
 * away when the room compacted) would be sent the compacted chains, which it cannot place
 * among the part of the history it has: its sync step 1 shows that (`behindCompaction`) and
 * it is closed with 4409 before anything is sent to it; it starts over with a fresh doc,
 * which takes the compacted doc whole. And a client that writes a key names as origin the
 * value it last saw. If that was `last` (a client in step: always, once the room has been
 * quiet for a moment), every replica places it the same way. If it
 * names a value that was compacted away, or `first` after it was superseded, the server
 * would place it differently from the clients that kept the history, so such an update is
 * refused (`staleWrite`) and the client starts over from the server's doc (close 4409): a
 * client that was offline while others edited the same keys. Compaction only runs after a
 * quiet moment, so writes racing each other in the ordinary way are never refused.
 *
 * Single process only: in cluster mode another process's doc would accept the late write
 * and replicate it here, where it could not be placed. Those rooms keep their history, and
 * the update gate's size limit bounds it.
 */

/** When a room's history is worth compacting. */
export interface HistoryCompactionPolicy {
	/**
	 * No compaction below this many structs (default 500: about 0.2 MB for a room's doc and
	 * its gate's shadow together, ~420 bytes a struct). A compaction costs a walk over the doc
	 * and one stored row, and nobody on the canvas notices it, so it can be frequent: a person
	 * dragging diagonally writes ~40 structs a second, a bench:soak room ~1.5.
	 */
	minStructs: number;
	/** Compact once the doc holds this many times its live structs (default 4: a compacted doc holds about 2). */
	factor: number;
	/** Wait for this long without a client update before compacting (default 1,000 ms). */
	quietMs: number;
}

export const DEFAULT_HISTORY_COMPACTION: HistoryCompactionPolicy = { minStructs: 500, factor: 4, quietMs: 1000 };

/** All structs of a doc, deleted ones included: what a doc's memory grows with. Cheap: O(clients). */
export function structCount(doc: Y.Doc): number {
	let n = 0;
	for (const list of doc.store.clients.values()) n += list.length;
	return n;
}

/** The doc's state vector as a map (Yjs keeps its own `getStateVector` internal): what `compactedAt` is. */
export function stateVectorOf(doc: Y.Doc): Map<number, number> {
	return Y.decodeStateVector(Y.encodeStateVector(doc));
}

/** Structs still showing content: about half of what a compacted doc keeps. O(structs). */
export function liveStructCount(doc: Y.Doc): number {
	let n = 0;
	for (const list of doc.store.clients.values()) for (const struct of list) if (!struct.deleted) n++;
	return n;
}

/**
 * Compacts `doc` in place (see the file comment); returns how many structs it removed.
 * A doc with updates still pending (missing dependencies) is left alone: what they refer to
 * must stay as it is until they integrate.
 */
export function compactHistory(doc: Y.Doc): number {
	if (doc.store.pendingStructs || doc.store.pendingDs) return 0;
	const dropped = new Set<Y.Item>();
	for (const root of doc.share.values()) collectChains(root, dropped);
	if (!dropped.size) return 0;
	const before = structCount(doc);
	for (const [client, structs] of doc.store.clients) {
		const kept: Array<Y.Item | Y.GC> = [];
		for (const struct of structs) {
			const gone = struct instanceof Y.GC || dropped.has(struct as Y.Item);
			const previous = kept[kept.length - 1];
			if (gone && previous instanceof Y.GC) previous.length += struct.length;
			else kept.push(gone ? new Y.GC(struct.id, struct.length) : (struct as Y.Item));
		}
		doc.store.clients.set(client, kept);
	}
	return before - structCount(doc);
}

/** Marks the middle of every key's chain under `type`, relinks its ends, and recurses into live nested maps. */
// `any`: roots and nested maps alike; the Yjs types are invariant in their event type.
function collectChains(type: Y.AbstractType<any>, dropped: Set<Y.Item>) {
	for (const last of type._map.values()) {
		let first = last;
		while (first.left) first = first.left;
		if (first.right !== last && first !== last && middleAllDeleted(first, last)) {
			for (let item = first.right; item && item !== last; item = item.right) dropped.add(item);
			first.right = last;
			last.left = first;
			last.origin = first.lastId;
		}
		if (!last.deleted && last.content instanceof Y.ContentType) collectChains(last.content.type, dropped);
	}
}

/** A map deletes each value when the next one comes; a chain that says otherwise is left whole. */
function middleAllDeleted(first: Y.Item, last: Y.Item): boolean {
	for (let item = first.right; item !== last; item = item.right) if (!item || !item.deleted) return false;
	return true;
}

/**
 * Whether a client whose sync step 1 sent `stateVector` lacks part of the history as it was
 * at the last compaction (`compactedAt`), so that the compacted doc cannot be sent to it. An
 * empty state vector is a new client: it takes the compacted doc whole.
 */
export function behindCompaction(stateVector: Uint8Array, compactedAt: Map<number, number>): boolean {
	const has = Y.decodeStateVector(stateVector);
	if (!has.size) return false;
	for (const [client, clock] of compactedAt) if ((has.get(client) ?? 0) < clock) return true;
	return false;
}

/**
 * Why a client's update cannot be placed in a compacted doc, or null if it can. `compactedAt`
 * is the doc's state vector at its last compaction (or load): only values superseded before it
 * can have been compacted away. Items whose origin has not arrived yet are left to Yjs, which
 * holds them back until it does.
 */
export function staleWrite(doc: Y.Doc, update: Uint8Array, compactedAt: Map<number, number>): string | null {
	if (!compactedAt.size) return null;
	for (const struct of Y.decodeUpdate(update).structs) {
		if (!(struct instanceof Y.Item) || struct.origin === null) continue;
		const { client, clock } = struct.origin;
		if (clock >= (compactedAt.get(client) ?? 0)) continue;
		const origin = structAt(doc, struct.origin);
		if (!origin) continue;
		const superseded = origin instanceof Y.GC || (origin.parentSub !== null && origin.right !== null && before(origin.right.id, compactedAt));
		if (superseded) return STALE_DOC;
	}
	return null;
}

export const STALE_DOC = 'This copy of the canvas was too far behind to merge (it missed edits while away). It starts over from the saved canvas.';

function structAt(doc: Y.Doc, id: Y.ID): Y.Item | Y.GC | null {
	if (id.clock >= Y.getState(doc.store, id.client)) return null;
	return Y.getItem(doc.store, id) as Y.Item | Y.GC;
}

function before(id: Y.ID, stateVector: Map<number, number>): boolean {
	return id.clock < (stateVector.get(id.client) ?? 0);
}
