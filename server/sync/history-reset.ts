import * as Y from 'yjs';

/**
 * History resets of a graph room (issue 18). A graph doc keeps every overwritten map value as
 * a deleted Item under its writer's client id: two per note or node move (x and y are separate
 * keys, DESIGN.md's schema). Yjs merges or collects neither while the map lives, so a canvas
 * edited for days grows without end, in the room's doc and again in its update gate's shadow
 * (about 210 bytes per deleted Item in each; measured in history-reset.spec.ts's companion
 * script, tmp/measure.ts in the session that built this).
 *
 * A reset rebuilds the doc from its content: the same roots, keys and values, written fresh by
 * one new client id (the doc's "base"), with `history.epoch` counting resets. The room stores
 * it in place of its log (UpdateStore.replace) and closes every session with
 * CLOSE.historyReset; clients then start over with a fresh Y.Doc.
 *
 * Telling an old doc from a new one: every struct of a rebuilt doc is the base's, so a client
 * that synced since the reset has the base in its state vector. A client whose sync step 1
 * names other clients but not the base still holds the old history (a stock y-websocket
 * client reconnecting after the reset with its old doc) and is refused with the same code
 * before anything of it is applied. An empty state vector is a new client. The one false
 * positive is a brand new client that edited before it first synced; it is refused and starts
 * over, which our editor does anyway on that code.
 */

/** The root map that carries the reset count; only the server writes it (GraphWriteRule refuses other roots). */
export const HISTORY_ROOT = 'history';

export interface HistoryMark {
	/** How many resets this doc's history has been through. */
	epoch: number;
	/** The client id that wrote the rebuilt doc: present in every state vector synced since. */
	base: number;
}

/** When a room's history is worth a reset. */
export interface HistoryResetPolicy {
	/**
	 * No reset below this many structs, however small the content (default 30,000: about
	 * 12.6 MB held per graph room, its doc and its gate's shadow together, ~210 bytes per
	 * struct in each). Each reset costs the room's editors their undo steps, so it must be
	 * rare in a workshop: a person dragging writes ~40 structs a second (30,000 is about 12
	 * minutes of dragging); a bench:soak room of 15 editors each moving a note every 4 s gets
	 * there in about an hour. Lower it to bound memory harder where nobody needs undo.
	 */
	minStructs: number;
	/** Reset once the doc holds this many times the structs a fresh copy would (default 4). */
	factor: number;
	/** Wait for this long without a client update before resetting (default 1,000 ms)... */
	quietMs: number;
	/** ...unless the doc is past twice its threshold: then it resets at the next update. */
}

export const DEFAULT_HISTORY_RESET: HistoryResetPolicy = { minStructs: 30_000, factor: 4, quietMs: 1000 };

/** The reset mark a doc carries, or null for a doc never reset. */
export function historyMark(doc: Y.Doc): HistoryMark | null {
	if (!doc.share.has(HISTORY_ROOT)) return null;
	const item = doc.getMap(HISTORY_ROOT)._map.get('epoch');
	if (!item || item.deleted) return null;
	const epoch = item.content.getContent()[0];
	return typeof epoch === 'number' ? { epoch, base: item.id.client } : null;
}

/** Whether a client's sync step 1 shows it holds a doc from before the reset `mark` names. */
export function holdsOldHistory(stateVector: Uint8Array, mark: HistoryMark): boolean {
	const clients = Y.decodeStateVector(stateVector);
	return clients.size > 0 && !clients.has(mark.base);
}

/** All structs of a doc, deleted ones included: what a doc's memory grows with. Cheap: O(clients). */
export function structCount(doc: Y.Doc): number {
	let n = 0;
	for (const list of doc.store.clients.values()) n += list.length;
	return n;
}

/** Structs still showing content: about what a rebuilt doc would hold. O(structs). */
export function liveStructCount(doc: Y.Doc): number {
	let n = 0;
	for (const list of doc.store.clients.values()) for (const struct of list) if (!struct.deleted) n++;
	return n;
}

/**
 * The doc's content under a new history, as one update, with `history.epoch` = `epoch`; null
 * if the doc holds something this cannot copy faithfully (a root or value that is not a map,
 * an array or a plain value: graph docs hold none), so the caller keeps the history instead.
 * Updates still pending in the doc (missing dependencies) are not content and do not carry over.
 */
export function rebuiltState(doc: Y.Doc, epoch: number): { state: Uint8Array; mark: HistoryMark } | null {
	const fresh = new Y.Doc();
	try {
		let copyable = true;
		try {
			fresh.transact(() => {
				for (const [name, root] of doc.share) {
					if (name === HISTORY_ROOT) continue;
					// A root that was only ever received is a bare AbstractType: list content or map entries.
					if (root instanceof Y.Text || root instanceof Y.XmlFragment) return void (copyable = false);
					if (root._start !== null) {
						const items = copyList(doc.getArray(name).toArray());
						if (!items) return void (copyable = false);
						fresh.getArray(name).insert(0, items);
					}
					if (root._map.size && !copyMap(doc.getMap(name), fresh.getMap(name))) return void (copyable = false);
				}
				fresh.getMap(HISTORY_ROOT).set('epoch', epoch);
			});
		} catch {
			return null; // a root read as another type than it was defined with: not a doc we know
		}
		if (!copyable) return null;
		return { state: Y.encodeStateAsUpdate(fresh), mark: { epoch, base: fresh.clientID } };
	} finally {
		fresh.destroy();
	}
}

function copyMap(from: Y.Map<unknown>, to: Y.Map<unknown>): boolean {
	for (const [key, value] of from.entries()) {
		const copy = copyValue(value);
		if (copy === UNCOPYABLE) return false;
		to.set(key, copy);
	}
	return true;
}

function copyList(values: unknown[]): unknown[] | null {
	const out: unknown[] = [];
	for (const value of values) {
		const copy = copyValue(value);
		if (copy === UNCOPYABLE) return null;
		out.push(copy);
	}
	return out;
}

const UNCOPYABLE = Symbol('uncopyable');

function copyValue(value: unknown): unknown {
	if (value instanceof Y.Map) {
		const map = new Y.Map<unknown>();
		return copyMap(value, map) ? map : UNCOPYABLE;
	}
	if (value instanceof Y.Array) {
		const items = copyList(value.toArray());
		if (!items) return UNCOPYABLE;
		const array = new Y.Array<unknown>();
		array.insert(0, items);
		return array;
	}
	// Text, XML and sub-documents carry formatting or identity a plain copy would lose.
	if (value instanceof Y.AbstractType || value instanceof Y.Doc) return UNCOPYABLE;
	return value;
}
