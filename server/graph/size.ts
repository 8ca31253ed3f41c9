import type { Graph } from '../shared/graph/types';

/**
 * A graph's size as the sum of its nodes', edges' and notes' JSON, measured the same way for a
 * whole graph (PUT, import) and item by item (the sync write rule, which keeps a running
 * total), so both doors agree on what GRAPH_LIMITS.maxGraphBytes admits.
 */
export const itemBytes = (item: object): number => Buffer.byteLength(JSON.stringify(item));

export function graphBytes(graph: Pick<Graph, 'nodes' | 'edges' | 'notes'>): number {
	let total = 0;
	for (const items of [graph.nodes, graph.edges, graph.notes ?? []]) for (const item of items) total += itemBytes(item);
	return total;
}

export const tooBigMessage = (bytes: number, max: number) =>
	`The graph is ${Math.ceil(bytes / 1024)} KB as JSON; a network holds at most ${Math.floor(max / 1024)} KB. Shorten notes, labels or params.`;
