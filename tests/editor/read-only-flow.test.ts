import { describe, expect, test } from 'vitest';
import { toReadOnlyFlow } from '$lib/history/read-only-flow';

/** The read-only canvas's mapping (History preview, run wiring): what each node and edge shows and how it differs from now. */

const node = (id: string, x = 0, label?: string) => ({ id, modelId: id.startsWith('p') ? 'local/paint' : 'local/caption', x, y: 0, label });
const look = (n: { id: string; label?: string }) => ({ name: n.label ?? `name of ${n.id}`, platform: 'local', input: 'text' as const, output: 'image' as const });

const VERSION = {
	nodes: [node('p1'), node('c1', 300), node('p2', 600)],
	edges: [
		{ id: 'e1', source: 'p1', target: 'c1' },
		{ id: 'e2', source: 'c1', target: 'p2' },
		{ id: 'dangling', source: 'p2', target: 'nowhere' }
	],
	startNodeId: 'p1'
};

describe('read-only flow', () => {
	test('without "now": every node and drawable edge as it was, coloured by what it carries', () => {
		const { nodes, edges } = toReadOnlyFlow(VERSION, null, look);
		expect(nodes.map((n) => [n.id, n.data.name, n.data.change, n.data.isStart])).toEqual([
			['p1', 'name of p1', 'same', true],
			['c1', 'name of c1', 'same', false],
			['p2', 'name of p2', 'same', false]
		]);
		expect(nodes.every((n) => n.draggable === false && n.connectable === false)).toBe(true);
		expect(edges.map((e) => e.id)).toEqual(['e1', 'e2']);
		expect(edges[0].style).toBe('stroke: var(--image-modality)');
	});

	test('against now: what comes back, what goes (drawn from now) and what differs', () => {
		const now = {
			// p2 deleted (with e2), c1 renamed, a new node n9 wired from p1.
			nodes: [node('p1'), node('c1', 300, 'Renamed'), node('n9', 900)],
			edges: [
				{ id: 'e1', source: 'p1', target: 'c1' },
				{ id: 'e9', source: 'p1', target: 'n9' }
			]
		};
		const { nodes, edges } = toReadOnlyFlow(VERSION, now, look);
		expect(Object.fromEntries(nodes.map((n) => [n.id, n.data.change]))).toEqual({ p1: 'same', c1: 'differs', p2: 'back', n9: 'goes' });
		expect(nodes.find((n) => n.id === 'n9')!.position).toEqual({ x: 900, y: 0 });
		expect(Object.fromEntries(edges.map((e) => [e.id, (e.domAttributes as Record<string, string>)['data-change']]))).toEqual({ e1: 'same', e2: 'back', e9: 'goes' });
	});
});
