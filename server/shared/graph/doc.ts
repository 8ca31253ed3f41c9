import * as Y from 'yjs';
// Types only: this module runs in the browser too, and the zod schemas should not ride along.
import type { Graph, GraphEdge, GraphNode, GraphNote } from './types';

/** `meta.schemaVersion` of graph docs this code writes. */
export const GRAPH_SCHEMA_VERSION = 1;

/**
 * The graph doc schema of DESIGN.md ("Sync contract"): `nodes`, `edges`, `notes` are maps of
 * id → Y.Map, `meta` holds `schemaVersion`, `name` and `startNodeId`. Each node, edge and note
 * is its own Y.Map so concurrent edits to different fields (two people dragging and renaming)
 * merge instead of overwriting each other.
 */
export const nodesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('nodes');
export const edgesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('edges');
export const notesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('notes');
export const metaOf = (doc: Y.Doc) => doc.getMap<unknown>('meta');

export function yMapOf(fields: Record<string, unknown>): Y.Map<unknown> {
	const map = new Y.Map<unknown>();
	for (const [key, value] of Object.entries(fields)) if (value !== undefined) map.set(key, value);
	return map;
}

export function readGraph(doc: Y.Doc): Graph & { name: string } {
	// The sync write rule keeps malformed entries out; docs stored before it may still hold
	// some, and reading them must not fail (or nobody could export or fix the graph).
	const nodes: GraphNode[] = [];
	nodesOf(doc).forEach((m, id) => {
		if (!(m instanceof Y.Map)) return;
		const label = m.get('label');
		const params = m.get('params');
		nodes.push({
			id,
			modelId: String(m.get('modelId') ?? ''),
			x: Number(m.get('x') ?? 0),
			y: Number(m.get('y') ?? 0),
			...(typeof label === 'string' ? { label } : {}),
			...(isRecord(params) ? { params } : {})
		});
	});
	const edges: GraphEdge[] = [];
	edgesOf(doc).forEach((m, id) => {
		if (m instanceof Y.Map) edges.push({ id, source: String(m.get('source') ?? ''), target: String(m.get('target') ?? '') });
	});
	const notes: GraphNote[] = [];
	notesOf(doc).forEach((m, id) => {
		if (m instanceof Y.Map) notes.push({ id, text: String(m.get('text') ?? ''), x: Number(m.get('x') ?? 0), y: Number(m.get('y') ?? 0) });
	});
	const meta = metaOf(doc);
	const start = meta.get('startNodeId');
	const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
	return {
		name: String(meta.get('name') ?? ''),
		nodes: nodes.sort(byId),
		edges: edges.sort(byId),
		startNodeId: typeof start === 'string' ? start : null,
		notes: notes.sort(byId)
	};
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Y.AbstractType);

/**
 * Replaces the whole graph in one transaction, so every open canvas sees one change. Yjs
 * cannot roll a transaction back, so the graph is first written into a scratch doc: whatever
 * Yjs would refuse (a value it cannot store) throws there, before the live doc is touched.
 * Callers validate the graph first (graphSchema); this is the guarantee behind it.
 */
export function writeGraph(doc: Y.Doc, graph: Graph, origin: unknown = 'api'): void {
	const scratch = new Y.Doc();
	try {
		scratch.transact(() => fillGraph(scratch, graph));
	} finally {
		scratch.destroy();
	}
	doc.transact(() => fillGraph(doc, graph), origin);
}

function fillGraph(doc: Y.Doc, graph: Graph): void {
	const nodes = nodesOf(doc);
	const edges = edgesOf(doc);
	const notes = notesOf(doc);
	nodes.clear();
	edges.clear();
	notes.clear();
	for (const { id, ...fields } of graph.nodes) nodes.set(id, yMapOf(fields));
	for (const { id, ...fields } of graph.edges) edges.set(id, yMapOf(fields));
	for (const { id, ...fields } of graph.notes ?? []) notes.set(id, yMapOf(fields));
	const meta = metaOf(doc);
	meta.set('schemaVersion', GRAPH_SCHEMA_VERSION);
	if (graph.name) meta.set('name', graph.name);
	if (graph.startNodeId) meta.set('startNodeId', graph.startNodeId);
	else meta.delete('startNodeId');
}

/**
 * Whether the canvas is locked for a performance (`meta.locked`, written only by the server
 * when the lock changes), so open editors turn read-only the moment it happens instead of
 * editing on until their socket is re-granted.
 */
export const isLocked = (doc: Y.Doc) => metaOf(doc).get('locked') === true;

/** Sets up an empty graph doc for a new network. */
export function initGraphDoc(doc: Y.Doc, name: string): void {
	doc.transact(() => {
		const meta = metaOf(doc);
		meta.set('schemaVersion', GRAPH_SCHEMA_VERSION);
		meta.set('name', name);
	}, 'server');
}
