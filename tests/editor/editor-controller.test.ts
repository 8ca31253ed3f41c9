import { describe, expect, test, vi } from 'vitest';
import * as Y from 'yjs';
import { edgesOf, metaOf, nodesOf, writeGraph } from '$shared/graph/doc';
import { GRAPH_LIMITS } from '$shared/graph/limits';
import type { ModelInfo } from '$shared/platforms/types';
import { EditorController } from '$lib/editor/editor-controller.svelte';
import type { FlowNode } from '$lib/editor/flow-mapping';
import { GraphBinding } from '$lib/editor/graph-binding';

const info = (id: string, input: ModelInfo['input'], output: ModelInfo['output']): ModelInfo => ({
	id,
	platform: 'local',
	name: id.split('/')[1],
	input,
	output,
	description: '',
	homepage: '',
	defaults: {}
});
const MODELS = [info('local/paint', 'text', 'image'), info('local/caption', 'image', 'text'), info('local/associate', 'text', 'text')];

function setup(readOnly: boolean | 'owner' | 'editor' | 'viewer' = false) {
	const doc = new Y.Doc();
	writeGraph(
		doc,
		{
			nodes: [
				{ id: 'p', modelId: 'local/paint', x: 0, y: 0 },
				{ id: 'c', modelId: 'local/caption', x: 300, y: 0 },
				{ id: 't', modelId: 'local/associate', x: 600, y: 0 }
			],
			edges: []
		},
		'server'
	);
	const binding = new GraphBinding(doc);
	return { doc, binding, editor: new EditorController(binding, MODELS, readOnly) };
}

const select = (nodes: FlowNode[], ids: string[]) => nodes.map((n) => ({ ...n, selected: ids.includes(n.id) })) as FlowNode[];

describe('EditorController', () => {
	test('tap an output, then an input: connected; a mismatch is explained and the pick kept', () => {
		const { doc, editor } = setup();
		editor.tapPort('p', 'out');
		expect(editor.pendingSource).toBe('p');
		expect(editor.notice?.text).toMatch(/takes image/);
		editor.tapPort('t', 'in');
		expect(editor.notice).toMatchObject({ tone: 'error' });
		expect(editor.notice!.text).toMatch(/image output can't feed associate/);
		expect(editor.pendingSource).toBe('p');
		editor.tapPort('c', 'in');
		expect(editor.pendingSource).toBeNull();
		expect([...edgesOf(doc).values()].map((e) => e.toJSON())).toEqual([{ source: 'p', target: 'c' }]);
		expect(editor.edges.map((e) => [e.source, e.target])).toEqual([['p', 'c']]);
	});

	test('tapping the picked output again cancels; an input first asks for an output', () => {
		const { editor } = setup();
		editor.tapPort('c', 'in');
		expect(editor.notice?.text).toMatch(/output port/);
		editor.tapPort('p', 'out');
		editor.tapPort('p', 'out');
		expect(editor.pendingSource).toBeNull();
	});

	test('isValidConnection refuses mismatched modalities and allows matching self-loops', () => {
		const { editor } = setup();
		const c = (source: string, target: string) => ({ source, target, sourceHandle: 'out', targetHandle: 'in' });
		expect(editor.isValidConnection(c('p', 'c'))).toBe(true);
		expect(editor.isValidConnection(c('p', 't'))).toBe(false);
		expect(editor.isValidConnection(c('t', 't'))).toBe(true);
	});

	test('drag positions are written throttled while dragging, and the drop exactly', () => {
		vi.useFakeTimers();
		const { doc, editor } = setup();
		const at = (x: number, dragging: boolean) =>
			editor.nodes.map((n) => (n.id === 'p' ? { ...n, position: { x, y: 0 }, dragging } : n)) as FlowNode[];
		editor.dragStarted();
		editor.setFlowNodes(at(10, true));
		expect(nodesOf(doc).get('p')!.get('x')).toBe(10);
		editor.setFlowNodes(at(20, true));
		editor.setFlowNodes(at(30, true));
		expect(nodesOf(doc).get('p')!.get('x')).toBe(10);
		// The live position stays on the canvas even though the doc is behind.
		expect(editor.nodes.find((n) => n.id === 'p')!.position.x).toBe(30);
		editor.setFlowNodes(at(42.4, false));
		editor.dragStopped();
		expect(nodesOf(doc).get('p')!.get('x')).toBe(42);
		vi.advanceTimersByTime(200);
		expect(nodesOf(doc).get('p')!.get('x')).toBe(42);
		editor.undo();
		expect(nodesOf(doc).get('p')!.get('x')).toBe(0);
		vi.useRealTimers();
	});

	test('delete removes the selection; the start button toggles the start node', () => {
		const { doc, editor } = setup();
		editor.connect('p', 'c');
		editor.toggleStart('p');
		expect(editor.graph.startNodeId).toBe('p');
		editor.setFlowNodes(select(editor.nodes, ['p']));
		expect(editor.selectedModelNodes.map((n) => n.id)).toEqual(['p']);
		editor.deleteSelected();
		expect([...nodesOf(doc).keys()].sort()).toEqual(['c', 't']);
		expect(edgesOf(doc).size).toBe(0);
		expect(editor.graph.startNodeId).toBeNull();
		editor.undo();
		expect(editor.graph.startNodeId).toBe('p');
		expect(editor.edges).toHaveLength(1);
	});

	test('the validation report follows the doc', () => {
		const { doc, editor } = setup();
		expect(editor.report.hasLoop).toBe(false);
		editor.connect('p', 'c');
		editor.connect('c', 'p');
		expect(editor.report.hasLoop).toBe(true);
		// An image→text edge made elsewhere (say, the JSON API) is flagged on the canvas.
		doc.transact(() => {
			const e = new Y.Map();
			e.set('source', 'p');
			e.set('target', 't');
			edgesOf(doc).set('api-edge', e);
		}, 'api');
		const flagged = editor.edges.find((e) => e.id === 'api-edge')!;
		expect(flagged.class).toBe('invalid');
		expect(flagged.data?.problem).toMatch(/image output to a text input/);
	});

	test('at the graph limits it says so instead of making an edit the server would refuse', () => {
		const { doc, editor } = setup();
		const nodes = Array.from({ length: GRAPH_LIMITS.maxNodes }, (_, i) => ({ id: `n${i}`, modelId: 'local/paint', x: 0, y: 0 }));
		const notes = Array.from({ length: GRAPH_LIMITS.maxNotes }, (_, i) => ({ id: `t${i}`, text: '', x: 0, y: 0 }));
		writeGraph(doc, { nodes, edges: [], notes }, 'server');
		expect(editor.addModel('local/paint', { x: 0, y: 0 })).toBeNull();
		expect(editor.notice).toEqual({ tone: 'error', text: 'A network holds at most 500 nodes; delete some first.' });
		expect(editor.addNote({ x: 0, y: 0 })).toBeNull();
		expect(editor.notice?.text).toMatch(/at most 500 notes/);
		expect(nodesOf(doc).size).toBe(GRAPH_LIMITS.maxNodes);
	});

	test('a viewer changes nothing', () => {
		const { doc, editor } = setup(true);
		editor.tapPort('p', 'out');
		expect(editor.connect('p', 'c')).toBe(false);
		expect(editor.addModel('local/paint', { x: 0, y: 0 })).toBeNull();
		editor.setFlowNodes(select(editor.nodes, ['p']));
		editor.deleteSelected();
		editor.setFlowNodes(editor.nodes.map((n) => ({ ...n, position: { x: 999, y: 999 } })) as FlowNode[]);
		expect(nodesOf(doc).size).toBe(3);
		expect(nodesOf(doc).get('p')!.get('x')).toBe(0);
		expect(edgesOf(doc).size).toBe(0);
	});

	test('a locked canvas stops editors (live, from the doc) but not the owner', () => {
		const editorView = setup('editor');
		const ownerBinding = new GraphBinding(editorView.doc);
		const owner = new EditorController(ownerBinding, MODELS, 'owner');
		expect(editorView.editor.readOnly).toBe(false);
		expect(editorView.editor.addModel('local/paint', { x: 10, y: 10 })).not.toBeNull();

		// The server writes meta.locked when the owner locks the canvas.
		editorView.doc.transact(() => metaOf(editorView.doc).set('locked', true), 'server');
		expect(editorView.editor.locked).toBe(true);
		expect(editorView.editor.readOnly).toBe(true);
		expect(editorView.editor.addModel('local/paint', { x: 20, y: 20 })).toBeNull();
		expect(editorView.editor.connect('p', 'c')).toBe(false);
		expect(owner.readOnly).toBe(false);
		expect(owner.addModel('local/caption', { x: 30, y: 30 })).not.toBeNull();
		expect(nodesOf(editorView.doc).size).toBe(5);

		editorView.doc.transact(() => metaOf(editorView.doc).set('locked', false), 'server');
		expect(editorView.editor.readOnly).toBe(false);
	});

		test('the view is framed once, when the shared graph first arrives from elsewhere', () => {
		const doc = new Y.Doc();
		const fresh = new EditorController(new GraphBinding(doc), MODELS, false);
		fresh.addModel('local/paint', { x: 0, y: 0 });
		expect(fresh.needsFit).toBe(false);
		writeGraph(doc, { nodes: [{ id: 'z', modelId: 'local/paint', x: 0, y: 0 }], edges: [] }, 'wire');
		expect(fresh.needsFit).toBe(true);
	});

	test('a canvas of notes alone is framed too (drawn on a laptop, it is off the edge of a phone)', () => {
		const doc = new Y.Doc();
		const fresh = new EditorController(new GraphBinding(doc), MODELS, false);
		writeGraph(doc, { nodes: [], edges: [], notes: [{ id: 'n1', text: 'a thought', x: 900, y: 400 }] }, 'wire');
		expect(fresh.needsFit).toBe(true);
	});
});
