import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { historyMark, holdsOldHistory, liveStructCount, rebuiltState, structCount } from './history-reset';

/** A graph-like doc after `moves` note moves by two clients, as the canvas makes them. */
function movedDoc(moves: number): Y.Doc {
	const a = new Y.Doc();
	a.transact(() => {
		a.getMap('meta').set('schemaVersion', 1);
		const note = new Y.Map<unknown>();
		note.set('text', 'hi');
		note.set('x', 0);
		note.set('y', 0);
		note.set('tags', Y.Array.from(['a', 'b']));
		a.getMap('notes').set('n1', note);
		a.getArray('list').push([{ plain: true }]);
	});
	const b = new Y.Doc();
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
	for (let i = 1; i <= moves; i++) {
		const doc = i % 2 ? a : b;
		const note = doc.getMap<Y.Map<unknown>>('notes').get('n1')!;
		doc.transact(() => {
			note.set('x', i);
			note.set('y', -i);
		});
		Y.applyUpdate(i % 2 ? b : a, Y.encodeStateAsUpdate(doc));
	}
	return a;
}

describe('history resets', () => {
	test('a rebuilt doc holds the same content, no deleted structs, one client and the mark', () => {
		const old = movedDoc(100);
		expect(structCount(old)).toBeGreaterThan(200);
		const rebuilt = rebuiltState(old, 3)!;
		const fresh = new Y.Doc();
		Y.applyUpdate(fresh, rebuilt.state);
		for (const root of ['meta', 'notes']) expect(fresh.getMap(root).toJSON()).toEqual(old.getMap(root).toJSON());
		expect(fresh.getArray('list').toJSON()).toEqual([{ plain: true }]);
		expect(fresh.getMap<Y.Map<unknown>>('notes').get('n1')!.get('tags')).toBeInstanceOf(Y.Array);
		expect(structCount(fresh)).toBe(liveStructCount(fresh));
		expect([...fresh.store.clients.keys()]).toEqual([rebuilt.mark.base]);
		expect(historyMark(fresh)).toEqual({ epoch: 3, base: rebuilt.mark.base });
		expect(historyMark(old)).toBeNull();
	});

	test('old docs are told apart by their state vector; new and freshly synced ones are not', () => {
		const old = movedDoc(4);
		const { state, mark } = rebuiltState(old, 1)!;
		expect(holdsOldHistory(Y.encodeStateVector(old), mark)).toBe(true);
		expect(holdsOldHistory(Y.encodeStateVector(new Y.Doc()), mark)).toBe(false);
		const synced = new Y.Doc();
		Y.applyUpdate(synced, state);
		synced.getMap('notes').set('n2', 'later');
		expect(holdsOldHistory(Y.encodeStateVector(synced), mark)).toBe(false);
	});

	test('content it cannot copy faithfully (text) keeps the history', () => {
		const doc = new Y.Doc();
		doc.getText('t').insert(0, 'hello');
		expect(rebuiltState(doc, 1)).toBeNull();
		const nested = new Y.Doc();
		nested.getMap('m').set('t', new Y.Text('x'));
		expect(rebuiltState(nested, 1)).toBeNull();
	});
});
