import { describe, expect, test } from 'vitest';
import { countDiff, describeCounts, diffGraphs } from './diff';

const node = (id: string, extra: Record<string, unknown> = {}) => ({ id, modelId: 'local/paint', x: 0, y: 0, ...extra });

describe('diffGraphs', () => {
	test('names nodes and edges added, removed and changed by id', () => {
		const before = {
			nodes: [node('a'), node('b'), node('c', { params: { x: 1, y: 2 } })],
			edges: [{ id: 'ab', source: 'a', target: 'b' }, { id: 'bc', source: 'b', target: 'c' }]
		};
		const after = {
			nodes: [node('a', { label: 'Painter' }), node('c', { params: { y: 2, x: 1 } }), node('d')],
			edges: [{ id: 'ab', source: 'a', target: 'd' }, { id: 'cd', source: 'c', target: 'd' }]
		};
		const diff = diffGraphs(before, after);
		expect(diff.nodes).toEqual({ added: ['d'], removed: ['b'], changed: ['a'] });
		expect(diff.edges).toEqual({ added: ['cd'], removed: ['bc'], changed: ['ab'] });
		expect(describeCounts(countDiff(diff))).toBe(
			'1 node added, 1 node removed, 1 node changed, 1 edge added, 1 edge removed, 1 edge changed'
		);
	});

	test('equal graphs have no changes', () => {
		const g = { nodes: [node('a')], edges: [] };
		expect(describeCounts(countDiff(diffGraphs(g, g)))).toBe('No changes');
	});
});
