import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { initGraphDoc, nodesOf, readGraph, writeGraph, yMapOf } from './doc';

const graph = {
	nodes: [
		{ id: 'a', modelId: 'local/paint', x: 0, y: 0 },
		{ id: 'b', modelId: 'local/caption', x: 300, y: 0, label: 'eyes' }
	],
	edges: [{ id: 'e1', source: 'a', target: 'b' }],
	startNodeId: 'a'
};

describe('writeGraph', () => {
	test('a value Yjs refuses fails before the live doc is touched (no half-written graph)', () => {
		const doc = new Y.Doc();
		writeGraph(doc, graph);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		// Unvalidated on purpose: graphSchema refuses this; writeGraph must not rely on that alone.
		const hostile = { ...graph, nodes: [{ id: 'c', modelId: 'local/paint', x: 0, y: 0, params: { constructor: 'x' } }], startNodeId: 'c' };
		expect(() => writeGraph(doc, hostile)).toThrow();
		expect(updates).toEqual([]);
		expect(readGraph(doc)).toMatchObject({ nodes: graph.nodes, edges: graph.edges, startNodeId: 'a' });
	});
});

describe('readGraph', () => {
	test('skips entries that are not maps and fields of the wrong type (docs from before the write rule)', () => {
		const doc = new Y.Doc();
		initGraphDoc(doc, 'Old');
		nodesOf(doc).set('x', 'x' as never);
		nodesOf(doc).set('n', yMapOf({ modelId: 'local/paint', x: 1, y: 2, label: 42, params: ['not', 'an', 'object'] }));
		doc.getMap('meta').set('startNodeId', 7);
		expect(readGraph(doc)).toEqual({ name: 'Old', nodes: [{ id: 'n', modelId: 'local/paint', x: 1, y: 2 }], edges: [], startNodeId: null, notes: [] });
	});
});
