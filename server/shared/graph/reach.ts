/** Every node a run from `startNodeId` can reach by following edges (the start included). Browser-safe. */
export function reachableNodeIds(startNodeId: string, edges: readonly { source: string; target: string }[]): Set<string> {
	const seen = new Set([startNodeId]);
	const queue = [startNodeId];
	while (queue.length) {
		const node = queue.shift()!;
		for (const edge of edges) {
			if (edge.source === node && !seen.has(edge.target)) {
				seen.add(edge.target);
				queue.push(edge.target);
			}
		}
	}
	return seen;
}
