import { describe, expect, test } from 'vitest';
import type { ModelInfo } from '$shared/platforms/types';
import { connectionProblem, portHint } from '$lib/editor/connect-rules';
import { noteFlowId, toFlowEdges, toFlowNodes, type FlowEdge, type FlowNode } from '$lib/editor/flow-mapping';
import type { GraphSnapshot } from '$lib/editor/graph-binding';
import { CARD_ROOM, freeSpot, NODE_SIZE, takenBoxes } from '$lib/editor/placement';

const model = (id: string, input: ModelInfo['input'], output: ModelInfo['output']) => ({ id, name: id.split('/')[1], input, output });
const MODELS = new Map([model('local/paint', 'text', 'image'), model('local/caption', 'image', 'text'), model('local/associate', 'text', 'text')].map((m) => [m.id, m]));
const modelOf = (id: string) => MODELS.get(id);

function graph(parts: Partial<GraphSnapshot> = {}): GraphSnapshot {
	return { nodes: [], edges: [], notes: [], startNodeId: null, name: '', ...parts };
}

describe('toFlowNodes', () => {
	const g = graph({
		nodes: [
			{ id: 'a', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'b', modelId: 'local/caption', x: 300, y: 0, label: 'Eye' }
		],
		notes: [{ id: 'a', text: 'hello', x: 10, y: 400 }],
		startNodeId: 'a'
	});

	test('maps model nodes and notes, with the start flag and note ids kept apart', () => {
		const nodes = toFlowNodes(g, []);
		expect(nodes.map((n) => [n.id, n.type])).toEqual([
			['a', 'model'],
			['b', 'model'],
			[noteFlowId('a'), 'note']
		]);
		expect(nodes[0].data).toMatchObject({ modelId: 'local/paint', isStart: true });
		expect(nodes[1].data).toMatchObject({ label: 'Eye', isStart: false });
		expect(nodes[2]).toMatchObject({ position: { x: 10, y: 400 }, data: { noteId: 'a', text: 'hello' } });
	});

	test('unchanged nodes keep their object; canvas-only state survives a change', () => {
		const first = toFlowNodes(g, []);
		const withUi = first.map((n) => (n.id === 'b' ? { ...n, selected: true, measured: { width: 200, height: 70 } } : n)) as FlowNode[];
		const moved = graph({ ...g, nodes: [g.nodes[0], { ...g.nodes[1], x: 333 }] });
		const next = toFlowNodes(moved, withUi);
		expect(next[0]).toBe(withUi[0]);
		expect(next[2]).toBe(withUi[2]);
		expect(next[1]).toMatchObject({ position: { x: 333, y: 0 }, selected: true, measured: { width: 200, height: 70 } });
	});

	test("a node this person is dragging keeps its live position over the doc's older one", () => {
		const first = toFlowNodes(g, []).map((n) => (n.id === 'a' ? { ...n, dragging: true, position: { x: 77, y: 88 } } : n)) as FlowNode[];
		const next = toFlowNodes(graph({ ...g, nodes: [{ ...g.nodes[0], x: 50, y: 50 }, g.nodes[1]] }), first);
		expect(next[0].position).toEqual({ x: 77, y: 88 });
	});

	test('deleted nodes disappear', () => {
		const next = toFlowNodes(graph({ nodes: [g.nodes[1]] }), toFlowNodes(g, []));
		expect(next.map((n) => n.id)).toEqual(['b']);
	});
});

describe('toFlowEdges', () => {
	const g = graph({
		nodes: [
			{ id: 'p', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'c', modelId: 'local/caption', x: 0, y: 0 }
		],
		edges: [
			{ id: 'ok', source: 'p', target: 'c' },
			{ id: 'bad', source: 'c', target: 'c' },
			{ id: 'dangling', source: 'p', target: 'gone' }
		]
	});
	const outputOf = (id: string) => modelOf(id)?.output;

	test('edges join the out and in ports, coloured by what they carry; dangling ones are not drawn', () => {
		const edges = toFlowEdges(g, [], outputOf, new Map());
		expect(edges.map((e) => e.id)).toEqual(['ok', 'bad']);
		expect(edges[0]).toMatchObject({ source: 'p', target: 'c', sourceHandle: 'out', targetHandle: 'in', type: 'panic', data: { modality: 'image' } });
		expect(edges[0].class).toBeUndefined();
	});

	test('invalid edges are flagged with a class, a data attribute and the reason', () => {
		const edges = toFlowEdges(g, [], outputOf, new Map([['bad', 'Edge bad joins a text output to a image input.']]));
		const bad = edges.find((e) => e.id === 'bad')!;
		expect(bad.class).toBe('invalid');
		expect(bad.domAttributes).toEqual({ 'data-invalid': 'true' });
		expect(bad.data?.problem).toMatch(/text output/);
	});

	test('selection survives and unchanged edges keep their object', () => {
		const first = toFlowEdges(g, [], outputOf, new Map()).map((e) => (e.id === 'ok' ? { ...e, selected: true } : e)) as FlowEdge[];
		const again = toFlowEdges(g, first, outputOf, new Map([['bad', 'why']]));
		expect(again[0]).toBe(first[0]);
		expect(again[1]).not.toBe(first[1]);
	});
});

describe('connectionProblem', () => {
	const g = graph({
		nodes: [
			{ id: 'p', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'c', modelId: 'local/caption', x: 0, y: 0 },
			{ id: 't', modelId: 'local/associate', x: 0, y: 0 },
			{ id: 'x', modelId: 'gone/model', x: 0, y: 0 }
		],
		edges: [{ id: 'e', source: 'p', target: 'c' }]
	});

	test('matching modalities connect, loops and self-loops included', () => {
		expect(connectionProblem(g, modelOf, 'c', 'p')).toBeNull();
		expect(connectionProblem(g, modelOf, 't', 't')).toBeNull();
	});

	test('a mismatch says what each side carries', () => {
		expect(connectionProblem(g, modelOf, 'p', 't')).toBe("image output can't feed associate, which takes text. Connect image to image.");
		expect(connectionProblem(g, modelOf, 'c', 'c')).toMatch(/text output can't feed caption/);
	});

	test('repeats, unknown models and missing nodes are refused', () => {
		expect(connectionProblem(g, modelOf, 'p', 'c')).toMatch(/already connected/);
		expect(connectionProblem(g, modelOf, 'x', 't')).toMatch(/not a known model/);
		expect(connectionProblem(g, modelOf, 'p', 'nope')).toMatch(/gone/);
	});

	test('portHint: while connecting, the ports on the far side light up or dim by the same rule', () => {
		const fromText = { nodeId: 'c', side: 'source' as const };
		expect(portHint(g, modelOf, fromText, 'p', 'in')).toBe('accepts');
		expect(portHint(g, modelOf, fromText, 't', 'in')).toBe('accepts');
		expect(portHint(g, modelOf, fromText, 'c', 'in')).toBe('refuses');
		expect(portHint(g, modelOf, fromText, 'p', 'out')).toBeNull();
		// Started at an input: outputs are judged, and an existing edge counts as refused.
		const intoCaption = { nodeId: 'c', side: 'target' as const };
		expect(portHint(g, modelOf, intoCaption, 'p', 'out')).toBe('refuses');
		expect(portHint(g, modelOf, intoCaption, 't', 'out')).toBe('refuses');
		expect(portHint(g, modelOf, { nodeId: 't', side: 'target' }, 'c', 'out')).toBe('accepts');
		expect(portHint(g, modelOf, null, 'p', 'in')).toBeNull();
	});
});

describe('freeSpot', () => {
	type Spot = { x: number; y: number; width?: number; height?: number };
	const area = (s: Spot) => ({ x: s.x, y: s.y, w: s.width ?? NODE_SIZE.width, h: s.height ?? NODE_SIZE.height });
	const apart = (a: Spot, b: Spot) => {
		const [p, q] = [area(a), area(b)];
		return p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
	};

	test('centres a new node on the spot when it is free', () => {
		expect(freeSpot({ x: 0, y: 0 }, [])).toEqual({ x: -NODE_SIZE.width / 2, y: -NODE_SIZE.height / 2 });
	});

	test('taps on one spot give nodes that never overlap, each with room for its card', () => {
		const placed: Spot[] = [];
		for (let i = 0; i < 8; i++) {
			const spot = { ...freeSpot({ x: 0, y: 0 }, takenBoxes(placed.map((p) => ({ type: 'model', position: p })))) };
			for (const other of placed) {
				expect(apart({ ...spot, height: NODE_SIZE.height + CARD_ROOM }, { ...other, height: NODE_SIZE.height + CARD_ROOM })).toBe(true);
			}
			placed.push(spot);
		}
		// The second tap goes beside the first, as a network reads: left to right.
		expect(placed[1].y).toBe(placed[0].y);
		expect(placed[1].x).toBeGreaterThan(placed[0].x);
	});

	test('keeps clear of a tall measured box: a node with its output card', () => {
		const tall = { type: 'model', position: { x: -150, y: -100 }, measured: { width: 240, height: 420 } };
		const spot = freeSpot({ x: 0, y: 0 }, takenBoxes([tall]));
		expect(apart({ ...spot, height: NODE_SIZE.height }, { x: -150, y: -100, width: 240, height: 420 })).toBe(true);
	});
});
