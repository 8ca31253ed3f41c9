import type { Edge, Node } from '@xyflow/svelte';
import { diffGraphs } from '$shared/graph/diff';
import type { Graph, GraphNode } from '$shared/graph/types';
import type { Modality } from '$shared/platforms/types';

/**
 * A graph for a read-only Svelte Flow canvas (a version in the History preview, a run's wiring):
 * its nodes and edges, and with `now` what differs from the live graph. "back" is what
 * restoring it would bring back (in the version, not now), "goes" what restoring would take
 * away (now, not in the version: drawn from `now`), "differs" what both have but not alike.
 */
export type Change = 'back' | 'goes' | 'differs' | 'same';

/** What a node shows: its name as the graph had it, and its model's kind where known. */
export interface NodeLook {
	name: string;
	platform?: string;
	input?: Modality;
	output?: Modality;
}

export interface ReadOnlyNodeData extends Record<string, unknown>, NodeLook {
	isStart: boolean;
	change: Change;
}
export type ReadOnlyFlowNode = Node<ReadOnlyNodeData, 'version'>;

export const IN = 'in';
export const OUT = 'out';

/**
 * Edges as the live canvas colours them (modalityColor in editor/flow-mapping); compared with
 * now, by how they differ, unchanged ones grey (an image edge's orange would read as "differs").
 */
const edgeColour = (change: Change, modality: Modality | undefined, comparing: boolean) =>
	comparing || !modality ? EDGE_COLOURS[change] : `var(--${modality}-modality)`;

export function toReadOnlyFlow(
	graph: Pick<Graph, 'nodes' | 'edges' | 'startNodeId'>,
	now: Pick<Graph, 'nodes' | 'edges'> | null,
	look: (node: GraphNode) => NodeLook
): { nodes: ReadOnlyFlowNode[]; edges: Edge[] } {
	const diff = now ? diffGraphs(now, graph) : null;
	const mark = (id: string, d: { added: string[]; removed: string[]; changed: string[] } | undefined): Change =>
		!d ? 'same' : d.added.includes(id) ? 'back' : d.changed.includes(id) ? 'differs' : 'same';
	const goneNodes = diff && now ? now.nodes.filter((n) => diff.nodes.removed.includes(n.id)) : [];
	const goneEdges = diff && now ? now.edges.filter((e) => diff.edges.removed.includes(e.id)) : [];
	const nodes: ReadOnlyFlowNode[] = [
		...graph.nodes.map((n) => [n, mark(n.id, diff?.nodes)] as const),
		...goneNodes.map((n) => [n, 'goes'] as const)
	].map(([n, change]) => ({
		id: n.id,
		type: 'version',
		position: { x: n.x, y: n.y },
		data: { ...look(n), isStart: graph.startNodeId === n.id && change !== 'goes', change },
		draggable: false,
		selectable: false,
		connectable: false
	}));
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const edges: Edge[] = [
		...graph.edges.map((e) => [e, mark(e.id, diff?.edges)] as const),
		...goneEdges.map((e) => [e, 'goes'] as const)
	]
		.filter(([e]) => byId.has(e.source) && byId.has(e.target))
		.map(([e, change]) => {
			const colour = edgeColour(change, byId.get(e.source)?.data.output, !!now);
			return {
				id: e.id,
				type: 'version',
				source: e.source,
				target: e.target,
				sourceHandle: OUT,
				targetHandle: IN,
				class: `version-edge ${change}`,
				selectable: false,
				focusable: false,
				markerEnd: { type: 'arrowclosed' as const, color: colour, width: 16, height: 16 },
				style: `stroke: ${colour}`,
				domAttributes: { 'data-testid': 'picture-edge', 'data-edge-id': e.id, 'data-change': change } as Record<string, string>
			};
		});
	return { nodes, edges };
}

/** The marks read apart without colour too: the node and edge styles add solid, dashed and dotted. */
export const EDGE_COLOURS: Record<Change, string> = {
	same: '#8a94a6',
	back: '#3ecf8e',
	goes: '#ff6b6b',
	differs: '#f5b942'
};
