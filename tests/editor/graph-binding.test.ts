import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { edgesOf, metaOf, nodesOf, notesOf, writeGraph } from '$shared/graph/doc';
import { GraphBinding, type BindingState } from '$lib/editor/graph-binding';

/**
 * Two people on one network: two docs kept in sync the way the provider does it (each
 * update applied to the other with a non-local origin), each with its own binding.
 */
function twoPeople() {
	const docA = new Y.Doc();
	const docB = new Y.Doc();
	docA.on('update', (u: Uint8Array, origin: unknown) => origin !== 'wire' && Y.applyUpdate(docB, u, 'wire'));
	docB.on('update', (u: Uint8Array, origin: unknown) => origin !== 'wire' && Y.applyUpdate(docA, u, 'wire'));
	return { docA, docB, a: new GraphBinding(docA), b: new GraphBinding(docB) };
}

const ID = /^[\w-]{1,64}$/;

describe('local edits write the graph doc schema', () => {
	test('a node is a Y.Map { modelId, x, y } keyed by a safe random id', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const id = binding.addNode('local/paint', 10.4, -20.6);
		expect(id).toMatch(ID);
		const node = nodesOf(doc).get(id)!;
		expect(node).toBeInstanceOf(Y.Map);
		expect(node.toJSON()).toEqual({ modelId: 'local/paint', x: 10, y: -21 });
		expect(binding.addNode('local/paint', 0, 0)).not.toBe(id);
	});

	test('an edge is a Y.Map { source, target }; edges to missing nodes are refused', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const n1 = binding.addNode('local/paint', 0, 0);
		const n2 = binding.addNode('local/caption', 300, 0);
		const e = binding.connect(n1, n2)!;
		expect(e).toMatch(ID);
		expect(edgesOf(doc).get(e)!.toJSON()).toEqual({ source: n1, target: n2 });
		expect(binding.connect(n1, 'nope')).toBeNull();
		// Loops, self-loops included, are the point of PANIC.
		expect(binding.connect(n2, n2)).toMatch(ID);
	});

	test('notes are Y.Maps { text, x, y }; typing updates the text', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const id = binding.addNote(5, 6);
		expect(notesOf(doc).get(id)!.toJSON()).toEqual({ text: '', x: 5, y: 6 });
		binding.setNoteText(id, 'fixed point?');
		expect(notesOf(doc).get(id)!.get('text')).toBe('fixed point?');
		binding.move([], [{ id, x: 50, y: 60 }]);
		expect(notesOf(doc).get(id)!.toJSON()).toEqual({ text: 'fixed point?', x: 50, y: 60 });
	});

	test('the start node lives in meta.startNodeId and can be cleared', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const n = binding.addNode('local/paint', 0, 0);
		binding.setStart(n);
		expect(metaOf(doc).get('startNodeId')).toBe(n);
		expect(binding.current.graph.startNodeId).toBe(n);
		binding.setStart('missing');
		expect(metaOf(doc).get('startNodeId')).toBe(n);
		binding.setStart(null);
		expect(metaOf(doc).has('startNodeId')).toBe(false);
	});

	test('deleting a node deletes its edges and unmarks it as start, in one transaction', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const [n1, n2, n3] = ['local/paint', 'local/caption', 'local/associate'].map((m) => binding.addNode(m, 0, 0));
		const e12 = binding.connect(n1, n2)!;
		const e23 = binding.connect(n2, n3)!;
		const e31 = binding.connect(n3, n1)!;
		binding.setStart(n2);
		let transactions = 0;
		doc.on('afterTransaction', () => transactions++);
		binding.remove({ nodes: [n2] });
		expect(transactions).toBe(1);
		expect([...nodesOf(doc).keys()].sort()).toEqual([n1, n3].sort());
		expect([...edgesOf(doc).keys()]).toEqual([e31]);
		expect(edgesOf(doc).has(e12) || edgesOf(doc).has(e23)).toBe(false);
		expect(metaOf(doc).has('startNodeId')).toBe(false);
	});

	test('deleting edges and notes alone leaves the nodes and the start', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const n1 = binding.addNode('local/paint', 0, 0);
		const n2 = binding.addNode('local/caption', 0, 0);
		const e = binding.connect(n1, n2)!;
		const note = binding.addNote(0, 0, 'hi');
		binding.setStart(n1);
		binding.remove({ edges: [e], notes: [note] });
		expect(nodesOf(doc).size).toBe(2);
		expect(edgesOf(doc).size).toBe(0);
		expect(notesOf(doc).size).toBe(0);
		expect(metaOf(doc).get('startNodeId')).toBe(n1);
	});
});

describe('remote changes reach the other person', () => {
	test('add, move and delete of a node are reflected in the snapshot', () => {
		const { a, b } = twoPeople();
		const states: BindingState[] = [];
		b.subscribe((s) => states.push(s));
		const id = a.addNode('local/paint', 100, 200);
		expect(b.current.graph.nodes).toEqual([{ id, modelId: 'local/paint', x: 100, y: 200 }]);
		expect(b.current.local).toBe(false);
		a.move([{ id, x: 150, y: 250 }]);
		expect(b.current.graph.nodes[0]).toMatchObject({ x: 150, y: 250 });
		a.remove({ nodes: [id] });
		expect(b.current.graph.nodes).toEqual([]);
		expect(states.length).toBeGreaterThanOrEqual(4);
	});

	test('a graph written through the JSON API (another origin) shows up whole', () => {
		const { docA, b } = twoPeople();
		writeGraph(docA, {
			name: 'Ouroboros',
			nodes: [
				{ id: 'p', modelId: 'local/paint', x: 0, y: 0 },
				{ id: 'c', modelId: 'local/caption', x: 300, y: 0 }
			],
			edges: [{ id: 'e', source: 'p', target: 'c' }],
			startNodeId: 'p'
		});
		expect(b.current.graph).toMatchObject({ name: 'Ouroboros', startNodeId: 'p', edges: [{ id: 'e', source: 'p', target: 'c' }] });
		expect(b.current.graph.nodes.map((n) => n.id)).toEqual(['c', 'p']);
	});

	test('a late drag position never brings back a node someone else deleted', () => {
		const { a, b, docA } = twoPeople();
		const id = a.addNode('local/paint', 0, 0);
		b.remove({ nodes: [id] });
		a.move([{ id, x: 40, y: 40 }]);
		expect(nodesOf(docA).has(id)).toBe(false);
		expect(b.current.graph.nodes).toEqual([]);
	});
});

describe('undo is per person', () => {
	test("undo reverts only this person's edits, on both screens", () => {
		const { a, b, docB } = twoPeople();
		const mine = a.addNode('local/paint', 0, 0);
		const theirs = b.addNode('local/caption', 300, 0);
		expect(b.current.canUndo).toBe(true);
		a.undo();
		expect(a.current.graph.nodes.map((n) => n.id)).toEqual([theirs]);
		expect([...nodesOf(docB).keys()]).toEqual([theirs]);
		expect(a.current.canUndo).toBe(false);
		expect(a.current.canRedo).toBe(true);
		a.redo();
		expect(nodesOf(docB).has(mine)).toBe(true);
	});

	test("someone else's edits never enter my undo stack", () => {
		const { a, b } = twoPeople();
		b.addNode('local/caption', 0, 0);
		expect(a.current.canUndo).toBe(false);
		a.undo();
		expect(a.current.graph.nodes).toHaveLength(1);
	});

	test('undoing my move keeps a later move by someone else', () => {
		const { a, b } = twoPeople();
		const id = b.addNode('local/paint', 0, 0);
		a.beginGesture();
		a.move([{ id, x: 100, y: 100 }]);
		b.move([{ id, x: 500, y: 500 }]);
		a.undo();
		expect(a.current.graph.nodes[0]).toMatchObject({ x: 500, y: 500 });
		expect(b.current.graph.nodes[0]).toMatchObject({ x: 500, y: 500 });
	});

	test('undoing my move, when nobody else touched it, puts it back for everyone', () => {
		const { a, b } = twoPeople();
		const id = b.addNode('local/paint', 0, 0);
		a.beginGesture();
		a.move([{ id, x: 100, y: 100 }]);
		a.undo();
		expect(b.current.graph.nodes[0]).toMatchObject({ x: 0, y: 0 });
	});

	test('a drag is one undo step however many writes it made; the next gesture is another', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const id = binding.addNode('local/paint', 0, 0);
		binding.beginGesture();
		for (let i = 1; i <= 10; i++) binding.move([{ id, x: i * 10, y: 0 }]);
		binding.beginGesture();
		binding.move([{ id, x: 999, y: 0 }]);
		binding.beginGesture();
		binding.undo();
		expect(binding.current.graph.nodes[0].x).toBe(100);
		binding.undo();
		expect(binding.current.graph.nodes[0].x).toBe(0);
		binding.undo();
		expect(binding.current.graph.nodes).toEqual([]);
	});

	test('discrete edits are separate steps even when quick', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const n1 = binding.addNode('local/paint', 0, 0);
		const n2 = binding.addNode('local/caption', 0, 0);
		binding.connect(n1, n2);
		binding.setStart(n1);
		binding.undo();
		expect(binding.current.graph.startNodeId).toBeNull();
		expect(binding.current.graph.edges).toHaveLength(1);
		binding.undo();
		expect(binding.current.graph.edges).toHaveLength(0);
		expect(binding.current.graph.nodes).toHaveLength(2);
	});

	test('undoing a delete restores the node, its edges and the start mark together', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const n1 = binding.addNode('local/paint', 0, 0);
		const n2 = binding.addNode('local/caption', 0, 0);
		binding.connect(n1, n2);
		binding.setStart(n1);
		binding.remove({ nodes: [n1] });
		binding.undo();
		expect(binding.current.graph.nodes).toHaveLength(2);
		expect(binding.current.graph.edges).toHaveLength(1);
		expect(binding.current.graph.startNodeId).toBe(n1);
	});

	test('subscribers hear about undo availability and whether a change was theirs', () => {
		const doc = new Y.Doc();
		const binding = new GraphBinding(doc);
		const seen: BindingState[] = [];
		const stop = binding.subscribe((s) => seen.push(s));
		expect(seen[0]).toMatchObject({ canUndo: false, canRedo: false });
		binding.addNode('local/paint', 0, 0);
		expect(seen.at(-1)).toMatchObject({ canUndo: true, local: true });
		binding.undo();
		expect(seen.at(-1)).toMatchObject({ canUndo: false, canRedo: true, local: true });
		stop();
		const count = seen.length;
		binding.redo();
		expect(seen.length).toBe(count);
		binding.destroy();
	});
});
