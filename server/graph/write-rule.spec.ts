import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { GraphBinding } from '$lib/editor/graph-binding';
import { UpdateGate, type GateLimits } from '../sync/update-gate';
import { edgesOf, initGraphDoc, metaOf, nodesOf, notesOf, readGraph, writeGraph, yMapOf } from '../shared/graph/doc';
import { GRAPH_LIMITS } from '../shared/graph/limits';
import type { Graph } from '../shared/graph/types';
import { GraphWriteRule } from './write-rule';

/**
 * A graph room's doc behind an UpdateGate with the graph rule, and one editor's doc synced
 * to it the way the room does it: each local update is admitted by the gate, and applied to
 * the room only if it was accepted. Server writes (the API) go to the room and are followed.
 */
function setup(limits?: GateLimits) {
	const room = new Y.Doc();
	initGraphDoc(room, 'Ouroboros');
	const gate = new UpdateGate(new GraphWriteRule(), () => room, limits);
	const client = new Y.Doc();
	Y.applyUpdate(client, Y.encodeStateAsUpdate(room), 'server');
	const refusals: string[] = [];
	const send = (update: Uint8Array) => {
		const admission = gate.admit(update);
		if (!admission.ok) refusals.push(admission.reason);
		else if (admission.update) Y.applyUpdate(room, admission.update, 'client');
		return admission;
	};
	client.on('update', (update: Uint8Array, origin: unknown) => origin !== 'server' && send(update));
	const serverWrite = (fn: (doc: Y.Doc) => void) => {
		const before = Y.encodeStateVector(room);
		room.transact(() => fn(room));
		const update = Y.encodeStateAsUpdate(room, before);
		gate.follow(update);
		Y.applyUpdate(client, update, 'server');
	};
	return { room, client, gate, refusals, send, serverWrite };
}

const node = (id: string, extra: Record<string, unknown> = {}) => ({ id, modelId: 'local/paint', x: 0, y: 0, ...extra });
const graphOf = (nodes: Graph['nodes'], extra: Partial<Graph> = {}): Graph => ({ nodes, edges: [], ...extra });
const snapshot = (doc: Y.Doc) => ({ graph: readGraph(doc), roots: [...doc.share.keys()].sort(), meta: metaOf(doc).toJSON() });

describe('what an editor does on the canvas is accepted', () => {
	test('restoring a version from the History panel is accepted, and one undo takes it back', () => {
		const { room, client, refusals } = setup();
		const binding = new GraphBinding(client);
		const a = binding.addNode('local/paint', 0, 0);
		const b = binding.addNode('local/caption', 300, 0);
		binding.connect(a, b);
		binding.setStart(a);
		const version = readGraph(client);
		binding.remove({ nodes: [b] });
		const afterDelete = readGraph(room);
		binding.replaceGraph(version);
		expect(refusals).toEqual([]);
		expect(readGraph(room)).toEqual(version);
		binding.undo();
		expect(refusals).toEqual([]);
		expect(readGraph(room)).toEqual(afterDelete);
	});

	test('add, connect, notes, start, move, delete, undo and redo all reach the room', () => {
		const { room, client, refusals } = setup();
		const binding = new GraphBinding(client);
		const paint = binding.addNode('local/paint', 10, 20);
		const caption = binding.addNode('local/caption', 300, 20);
		binding.connect(paint, caption);
		binding.connect(caption, paint);
		const note = binding.addNote(0, 200);
		binding.setNoteText(note, 'does it settle?');
		binding.setStart(paint);
		binding.move([{ id: paint, x: 40, y: 50 }], [{ id: note, x: 5, y: 250 }]);
		binding.remove({ nodes: [caption] });
		binding.undo();
		binding.redo();
		binding.undo();
		binding.setStart(null);
		expect(refusals).toEqual([]);
		expect(readGraph(room)).toEqual(readGraph(client));
		expect(readGraph(room).nodes).toHaveLength(2);
		binding.destroy();
	});

	test('a move far off the canvas is clamped by the editor rather than refused', () => {
		const { room, client, refusals } = setup();
		const binding = new GraphBinding(client);
		const id = binding.addNode('local/paint', 0, 0);
		binding.move([{ id, x: 5e6, y: -5e6 }]);
		expect(refusals).toEqual([]);
		expect(readGraph(room).nodes[0]).toMatchObject({ x: GRAPH_LIMITS.maxCoordinate, y: -GRAPH_LIMITS.maxCoordinate });
		binding.destroy();
	});
});

describe('what the API would refuse is refused over sync, and the room keeps its state', () => {
	const paintNode = () => yMapOf({ modelId: 'local/paint', x: 0, y: 0 });
	const cases: Array<[string, (doc: Y.Doc) => void, RegExp]> = [
		['a node that is a string', (d) => nodesOf(d).set('x', 'x' as never), /Node x must be a map/],
		['a 300-character label', (d) => nodesOf(d).get('n1')!.set('label', 'a'.repeat(300)), /Node n1: label: .*200/],
		['a node without a model', (d) => nodesOf(d).set('n2', yMapOf({ x: 0, y: 0 })), /Node n2: modelId/],
		['an unknown field', (d) => nodesOf(d).get('n1')!.set('colour', 'red'), /unknown field colour/],
		['a shared type inside a node', (d) => nodesOf(d).get('n1')!.set('label', new Y.Text('hi')), /label must be plain data/],
		['a coordinate off the canvas', (d) => nodesOf(d).get('n1')!.set('x', 1e7), /Node n1: x/],
		['a coordinate that is not a number', (d) => nodesOf(d).get('n1')!.set('y', Number.NaN), /Node n1: y/],
		['params with a reserved key', (d) => nodesOf(d).get('n1')!.set('params', { nested: { constructor: 1 } }), /reserved key "constructor"/],
		['params over 4 KB', (d) => nodesOf(d).get('n1')!.set('params', { blob: 'x'.repeat(5000) }), /Params are \d+ bytes/],
		['a node id with spaces', (d) => nodesOf(d).set('bad id', paintNode()), /node id must be/],
		['deleting a node’s model', (d) => nodesOf(d).get('n1')!.delete('modelId'), /Node n1: modelId/],
		['an edge from a bad id', (d) => edgesOf(d).set('e9', yMapOf({ source: 'a b', target: 'n1' })), /Edge e9: source/],
		['a note over 5,000 characters', (d) => notesOf(d).set('t1', yMapOf({ text: 'x'.repeat(5001), x: 0, y: 0 })), /Note t1: text/],
		['another root', (d) => d.getMap('junk').set('k', 1), /Only nodes, edges, notes and the start node/],
		['list content in the nodes map', (d) => d.getArray('nodes').insert(0, [1]), /nodes map takes no list content/],
		['renaming through meta', (d) => metaOf(d).set('name', 'hijacked'), /Only the server changes meta.name/],
		['unlocking through meta', (d) => metaOf(d).set('locked', false), /Only the server changes meta.locked/],
		['a start node that is not an id', (d) => metaOf(d).set('startNodeId', 42), /start node must be a node id/]
	];

	test.each(cases)('%s', (_name, attack, reason) => {
		const { room, serverWrite, send } = setup();
		serverWrite((doc) => writeGraph(doc, graphOf([node('n1')])));
		const before = snapshot(room);
		// A raw doc stands in for a modified client: it may shape roots however it likes.
		const raw = new Y.Doc();
		Y.applyUpdate(raw, Y.encodeStateAsUpdate(room));
		const vector = Y.encodeStateVector(raw);
		attack(raw);
		const admission = send(Y.encodeStateAsUpdate(raw, vector));
		expect(admission).toMatchObject({ ok: false });
		expect(!admission.ok && admission.reason).toMatch(reason);
		expect(snapshot(room)).toEqual(before);
	});

	test('after a refusal the gate judges the next update against the room, not the refused one', () => {
		const { room, client, refusals, send } = setup();
		nodesOf(client).set('x', 'string' as never);
		expect(refusals).toHaveLength(1);
		// The refused editor is closed; a reloaded page carries on from the room's state.
		const fresh = new Y.Doc();
		Y.applyUpdate(fresh, Y.encodeStateAsUpdate(room));
		const vector = Y.encodeStateVector(fresh);
		const binding = new GraphBinding(fresh);
		binding.addNode('local/paint', 0, 0);
		expect(send(Y.encodeStateAsUpdate(fresh, vector))).toMatchObject({ ok: true });
		expect(readGraph(room).nodes).toHaveLength(1);
		binding.destroy();
	});
});

describe('limits', () => {
	test('a network holds at most 500 nodes: the 501st is refused, in one update or many', () => {
		const { room, client, refusals, serverWrite } = setup();
		serverWrite((doc) => writeGraph(doc, graphOf(Array.from({ length: 499 }, (_, i) => node(`n${i}`)))));
		const binding = new GraphBinding(client);
		binding.addNode('local/paint', 0, 0);
		expect(refusals).toEqual([]);
		expect(nodesOf(room).size).toBe(500);
		binding.addNode('local/paint', 0, 0);
		expect(refusals).toEqual(['A network holds at most 500 nodes; delete some first.']);
		expect(nodesOf(room).size).toBe(500);
		binding.destroy();

		const flood = setup();
		flood.client.transact(() => {
			for (let i = 0; i < 5000; i++) nodesOf(flood.client).set(`f${i}`, yMapOf({ modelId: 'local/paint', x: i, y: 0 }));
		});
		expect(flood.refusals).toEqual(['A network holds at most 500 nodes; delete some first.']);
		expect(nodesOf(flood.room).size).toBe(0);
	});

	test('the graph as JSON stays within 512 KB, however it is split', () => {
		const { room, client, refusals } = setup();
		const binding = new GraphBinding(client);
		const text = 'x'.repeat(GRAPH_LIMITS.maxNoteLength);
		const ids = Array.from({ length: 110 }, () => binding.addNote(0, 0));
		for (const id of ids) binding.setNoteText(id, text);
		expect(refusals.length).toBeGreaterThan(0);
		expect(refusals[0]).toMatch(/at most 512 KB/);
		const stored = readGraph(room);
		expect(JSON.stringify(stored.notes).length).toBeLessThanOrEqual(GRAPH_LIMITS.maxGraphBytes);
		binding.destroy();
	});

	test('a doc stored over the limits before the rule can still be cut down and edited, not grown', () => {
		const { room, client, refusals, serverWrite } = setup();
		// The server may write anything (here: a stored doc from before the rule, 600 nodes).
		serverWrite((doc) => writeGraph(doc, graphOf(Array.from({ length: 600 }, (_, i) => node(`n${i}`)))));
		const binding = new GraphBinding(client);
		binding.move([{ id: 'n1', x: 10, y: 10 }]);
		binding.remove({ nodes: ['n2', 'n3'] });
		expect(refusals).toEqual([]);
		expect(nodesOf(room).size).toBe(598);
		binding.addNode('local/paint', 0, 0);
		expect(refusals).toHaveLength(1);
		expect(nodesOf(room).size).toBe(598);
		binding.destroy();
	});

	test('past the doc-size cap (history included) client updates are refused', () => {
		const { room, client, refusals } = setup({ maxDocBytes: 4096, maxPendingBytes: 1024 * 1024 });
		const binding = new GraphBinding(client);
		for (let i = 0; i < 100 && !refusals.length; i++) binding.addNote(0, 0, 'y'.repeat(100));
		expect(refusals[0]).toMatch(/history is full \(4 KB\)/);
		expect(Y.encodeStateAsUpdate(room).length).toBeLessThanOrEqual(4096);
		binding.destroy();
	});
});

describe('updates that wait for their dependencies', () => {
	/** Two updates from one editor; the second depends on the first. */
	function twoUpdates(second: (doc: Y.Doc) => void) {
		const { room, gate, send, serverWrite } = setup();
		serverWrite((doc) => writeGraph(doc, graphOf([node('n1')])));
		const editor = new Y.Doc();
		Y.applyUpdate(editor, Y.encodeStateAsUpdate(room));
		const updates: Uint8Array[] = [];
		editor.on('update', (u: Uint8Array) => updates.push(u));
		nodesOf(editor).set('n2', yMapOf({ modelId: 'local/caption', x: 0, y: 0 }));
		second(editor);
		return { room, gate, send, first: updates[0], later: updates[1] };
	}

	test('are held in the shadow, then judged and applied together once they can integrate', () => {
		const { room, send, first, later } = twoUpdates((doc) => nodesOf(doc).get('n2')!.set('x', 42));
		expect(send(later)).toEqual({ ok: true, update: null });
		expect(nodesOf(room).has('n2')).toBe(false);
		expect(send(first)).toMatchObject({ ok: true });
		expect(nodesOf(room).get('n2')!.toJSON()).toEqual({ modelId: 'local/caption', x: 42, y: 0 });
	});

	test('a bad change waiting for a good one refuses both, and leaves nothing behind to slip in later', () => {
		const { room, send, first, later } = twoUpdates((doc) => nodesOf(doc).get('n2')!.set('label', 'a'.repeat(300)));
		expect(send(later)).toEqual({ ok: true, update: null });
		expect(send(first)).toMatchObject({ ok: false, reason: expect.stringMatching(/Node n2: label/) });
		expect(nodesOf(room).has('n2')).toBe(false);
		// The good half alone is fine, and the bad half is gone from the shadow.
		expect(send(first)).toMatchObject({ ok: true });
		expect(nodesOf(room).get('n2')!.get('label')).toBeUndefined();
		expect(room.store.pendingStructs).toBeNull();
	});

	test('more waiting than the cap allows is refused', () => {
		const { room, send } = setup({ maxDocBytes: 8 * 1024 * 1024, maxPendingBytes: 1024 });
		const editor = new Y.Doc();
		Y.applyUpdate(editor, Y.encodeStateAsUpdate(room));
		const updates: Uint8Array[] = [];
		editor.on('update', (u: Uint8Array) => updates.push(u));
		const binding = new GraphBinding(editor);
		binding.addNote(0, 0);
		binding.addNote(0, 0, 'z'.repeat(2000));
		expect(send(updates[1])).toMatchObject({ ok: false, reason: expect.stringMatching(/never received/) });
		expect(send(updates[0])).toMatchObject({ ok: true });
		expect(notesOf(room).size).toBe(1);
		binding.destroy();
	});
});
