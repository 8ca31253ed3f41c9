import type { Graph } from '../../server/shared/graph/types';

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

/** A fan-out loop: node `a` (model `first`, the start) feeds `fan` nodes of model `second`, each feeding `a` again. */
export const fanOutLoop = (first: string, second: string, fan: number): Graph => ({
	nodes: [{ id: 'a', modelId: first, x: 0, y: 0 }, ...Array.from({ length: fan }, (_, k) => ({ id: `b${k}`, modelId: second, x: 200, y: k * 100 }))],
	edges: Array.from({ length: fan }, (_, k) => [
		{ id: `ab${k}`, source: 'a', target: `b${k}` },
		{ id: `ba${k}`, source: `b${k}`, target: 'a' }
	]).flat(),
	startNodeId: 'a'
});
