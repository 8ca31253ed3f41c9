import type { Graph } from '../../server/graph/types';

/** The smallest loop: node `a` (model `first`, the start) and node `b` (model `second`), each feeding the other. */
export const loopGraph = (first: string, second: string, params?: Record<string, unknown>): Graph => ({
	nodes: [
		{ id: 'a', modelId: first, x: 0, y: 0, ...(params ? { params } : {}) },
		{ id: 'b', modelId: second, x: 200, y: 0, ...(params ? { params } : {}) }
	],
	edges: [
		{ id: 'ab', source: 'a', target: 'b' },
		{ id: 'ba', source: 'b', target: 'a' }
	],
	startNodeId: 'a'
});
