import { describe, expect, it } from 'vitest';
import { Catalogue } from '../platforms/catalogue';
import { validateGraph } from '../shared/graph/validate';
import { EXAMPLE_NETWORKS, exampleByKey, exampleFile } from './examples';
import { networkFileSchema } from './graph-service';

const catalogue = Catalogue.builtIn();
// A node is at most 240 px wide (ModelNode.svelte) and, with its output card, about 220 px tall.
const NODE_W = 240;
const NODE_H = 220;

describe.each(EXAMPLE_NETWORKS.map((e) => [e.key, e] as const))('example %s', (_key, example) => {
	const { graph } = example;

	it('uses only built-in local models, so it runs with no keys', () => {
		for (const node of graph.nodes) expect(catalogue.get(node.modelId), node.modelId).toMatchObject({ platform: 'local' });
	});

	it('wires matching modalities and starts at a node that takes a text prompt: no graph issue at all', () => {
		const report = validateGraph(graph, (id) => catalogue.get(id));
		expect(report.issues).toEqual([]);
		expect(graph.startNodeId).toBeTruthy();
		expect(catalogue.get(graph.nodes.find((n) => n.id === graph.startNodeId)!.modelId)?.input).toBe('text');
		expect(report.hasLoop).toBe(true);
	});

	it('reaches every node from the start node', () => {
		const next = new Map<string, string[]>();
		for (const e of graph.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
		const seen = new Set<string>([graph.startNodeId!]);
		const todo = [graph.startNodeId!];
		while (todo.length) for (const t of next.get(todo.pop()!) ?? []) if (!seen.has(t)) (seen.add(t), todo.push(t));
		expect([...seen].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
	});

	it('lays its nodes and note out without overlaps', () => {
		const boxes = [...graph.nodes, ...(graph.notes ?? [])].map((b) => ({ id: b.id, x: b.x, y: b.y }));
		for (const [i, a] of boxes.entries()) {
			for (const b of boxes.slice(i + 1)) {
				const apart = Math.abs(a.x - b.x) >= NODE_W + 40 || Math.abs(a.y - b.y) >= NODE_H + 40;
				expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
			}
		}
	});

	it('never draws an edge back along one row (it would run straight through both of its nodes)', () => {
		const at = new Map(graph.nodes.map((n) => [n.id, n]));
		for (const e of graph.edges) {
			const [from, to] = [at.get(e.source)!, at.get(e.target)!];
			if (from.x >= to.x) expect(from.y, `${e.id} goes back along a row`).not.toBe(to.y);
		}
	});

	it('is a network file the import takes', () => {
		expect(networkFileSchema.safeParse(exampleFile(example)).success).toBe(true);
	});
});

describe('the example list', () => {
	it('has paint ↔ caption, sing ↔ listen, a loop through associate and a fan-out whose branches meet again', () => {
		const models = (key: string) => exampleByKey(key)?.graph.nodes.map((n) => n.modelId).sort();
		expect(models('paint-caption')).toEqual(['local/caption', 'local/paint']);
		expect(models('sing-listen')).toEqual(['local/listen', 'local/sing']);
		expect(exampleByKey('paint-caption-associate')?.graph.nodes).toHaveLength(3);
		expect(models('paint-caption-associate')).toContain('local/associate');
		const fan = exampleByKey('fan-out')!.graph;
		const outs = (id: string) => fan.edges.filter((e) => e.source === id).length;
		const ins = (id: string) => fan.edges.filter((e) => e.target === id).length;
		expect(fan.nodes.some((n) => outs(n.id) === 2)).toBe(true);
		expect(fan.nodes.some((n) => ins(n.id) === 2)).toBe(true);
	});

	it('has unique keys and names', () => {
		expect(new Set(EXAMPLE_NETWORKS.map((e) => e.key)).size).toBe(EXAMPLE_NETWORKS.length);
		expect(new Set(EXAMPLE_NETWORKS.map((e) => e.name)).size).toBe(EXAMPLE_NETWORKS.length);
	});
});
