// Types only: this module runs in the browser too (the History panel highlights with it).
import type { Graph, GraphEdge, GraphNode } from './types';

/** What changed between two graphs, by id: the History panel's highlights and a version's summary. */
export interface GraphDiff {
	nodes: { added: string[]; removed: string[]; changed: string[] };
	edges: { added: string[]; removed: string[]; changed: string[] };
}

/** The counts a version stores, so its list needs no graphs. */
export interface DiffCounts {
	nodesAdded: number;
	nodesRemoved: number;
	nodesChanged: number;
	edgesAdded: number;
	edgesRemoved: number;
	edgesChanged: number;
}

type Sides = Pick<Graph, 'nodes' | 'edges'>;

/**
 * Nodes and edges added, removed and changed from `before` to `after`. A node changed when
 * its model, name, settings or place did (a move is a change people see on the canvas); an
 * edge when its ends did. Notes are left out: they carry no wiring.
 */
export function diffGraphs(before: Sides, after: Sides): GraphDiff {
	return {
		nodes: diffById(before.nodes, after.nodes, sameNode),
		edges: diffById(before.edges, after.edges, sameEdge)
	};
}

export function countDiff(diff: GraphDiff): DiffCounts {
	return {
		nodesAdded: diff.nodes.added.length,
		nodesRemoved: diff.nodes.removed.length,
		nodesChanged: diff.nodes.changed.length,
		edgesAdded: diff.edges.added.length,
		edgesRemoved: diff.edges.removed.length,
		edgesChanged: diff.edges.changed.length
	};
}

export const isEmptyDiff = (c: DiffCounts) => Object.values(c).every((n) => n === 0);

/** "2 nodes added, 1 edge removed, 3 nodes changed", or "No changes". */
export function describeCounts(c: DiffCounts): string {
	const parts: string[] = [];
	const say = (n: number, what: string, how: string) => {
		if (n) parts.push(`${n} ${what}${n === 1 ? '' : 's'} ${how}`);
	};
	say(c.nodesAdded, 'node', 'added');
	say(c.nodesRemoved, 'node', 'removed');
	say(c.nodesChanged, 'node', 'changed');
	say(c.edgesAdded, 'edge', 'added');
	say(c.edgesRemoved, 'edge', 'removed');
	say(c.edgesChanged, 'edge', 'changed');
	return parts.length ? parts.join(', ') : 'No changes';
}

function diffById<T extends { id: string }>(before: T[], after: T[], same: (a: T, b: T) => boolean) {
	const old = new Map(before.map((item) => [item.id, item]));
	const now = new Map(after.map((item) => [item.id, item]));
	const added: string[] = [];
	const changed: string[] = [];
	for (const [id, item] of now) {
		const was = old.get(id);
		if (!was) added.push(id);
		else if (!same(was, item)) changed.push(id);
	}
	const removed = [...old.keys()].filter((id) => !now.has(id));
	return { added, removed, changed };
}

const sameNode = (a: GraphNode, b: GraphNode) =>
	a.modelId === b.modelId && a.x === b.x && a.y === b.y && (a.label ?? '') === (b.label ?? '') && stable(a.params) === stable(b.params);

const sameEdge = (a: GraphEdge, b: GraphEdge) => a.source === b.source && a.target === b.target;

/** JSON with keys sorted, so two equal settings objects compare equal whatever their key order. */
function stable(value: unknown): string {
	if (value === undefined) return '';
	return JSON.stringify(value, (_key, v) =>
		v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v
	);
}
