import type { Edge, Node } from '@xyflow/svelte';
import type { Modality } from '$shared/platforms/types';
import type { GraphSnapshot } from './graph-binding';

export interface ModelNodeData extends Record<string, unknown> {
	modelId: string;
	label?: string;
	isStart: boolean;
}
export interface NoteNodeData extends Record<string, unknown> {
	noteId: string;
	text: string;
}
export interface PanicEdgeData extends Record<string, unknown> {
	/** What the source sends, for the colour; undefined when its model is unknown. */
	modality?: Modality;
	/** Why the edge cannot carry anything (validateGraph), shown as its tooltip. */
	problem?: string;
}
export type ModelFlowNode = Node<ModelNodeData, 'model'>;
export type NoteFlowNode = Node<NoteNodeData, 'note'>;
export type FlowNode = ModelFlowNode | NoteFlowNode;
export type FlowEdge = Edge<PanicEdgeData, 'panic'>;

/** Port ids on every model node: one input on the left, one output on the right. */
export const IN = 'in';
export const OUT = 'out';

/**
 * Notes share Svelte Flow's id space with model nodes; the prefix keeps a note and a node
 * that happen to share an id apart. Model nodes keep their graph id, so `data-id` on the
 * canvas is the node id people and tests see in the JSON.
 */
const NOTE_PREFIX = 'note:';
export const noteFlowId = (noteId: string) => NOTE_PREFIX + noteId;
export const isNoteFlowId = (flowId: string) => flowId.startsWith(NOTE_PREFIX);

/**
 * Turns a graph snapshot into Svelte Flow nodes, keeping what only the canvas knows about
 * each one (selection, measured size, and the live position of a node this person is
 * dragging, which is ahead of the throttled copy in the doc). An unchanged node keeps its
 * object, so Svelte Flow skips it.
 */
export function toFlowNodes(graph: GraphSnapshot, previous: readonly FlowNode[]): FlowNode[] {
	const before = new Map(previous.map((n) => [n.id, n]));
	const next: FlowNode[] = [];
	for (const node of graph.nodes) {
		const data: ModelNodeData = { modelId: node.modelId, label: node.label, isStart: node.id === graph.startNodeId };
		next.push(merge(before.get(node.id), { id: node.id, type: 'model', position: { x: node.x, y: node.y }, data }));
	}
	for (const note of graph.notes) {
		const id = noteFlowId(note.id);
		const data: NoteNodeData = { noteId: note.id, text: note.text };
		next.push(merge(before.get(id), { id, type: 'note', position: { x: note.x, y: note.y }, data }));
	}
	return next;
}

function merge<T extends FlowNode>(old: FlowNode | undefined, fresh: T): T {
	if (!old) return fresh;
	const position = old.dragging ? old.position : fresh.position;
	if (old.type === fresh.type && samePosition(old.position, position) && shallowEqual(old.data, fresh.data)) return old as T;
	return { ...old, ...fresh, position } as T;
}

/**
 * Edges for Svelte Flow: one per graph edge whose two nodes exist (a dangling edge has
 * nowhere to be drawn; the status strip lists it instead), coloured by what it carries and
 * flagged when validateGraph found it cannot carry anything.
 */
export function toFlowEdges(
	graph: GraphSnapshot,
	previous: readonly FlowEdge[],
	outputOf: (modelId: string) => Modality | undefined,
	problems: ReadonlyMap<string, string>
): FlowEdge[] {
	const before = new Map(previous.map((e) => [e.id, e]));
	const models = new Map(graph.nodes.map((n) => [n.id, n.modelId]));
	const next: FlowEdge[] = [];
	for (const edge of graph.edges) {
		const sourceModel = models.get(edge.source);
		if (sourceModel === undefined || !models.has(edge.target)) continue;
		const data: PanicEdgeData = { modality: outputOf(sourceModel), problem: problems.get(edge.id) };
		const old = before.get(edge.id);
		if (old && old.source === edge.source && old.target === edge.target && shallowEqual(old.data, data)) {
			next.push(old);
			continue;
		}
		next.push({
			id: edge.id,
			type: 'panic',
			source: edge.source,
			target: edge.target,
			sourceHandle: OUT,
			targetHandle: IN,
			data,
			class: data.problem ? 'invalid' : undefined,
			domAttributes: data.problem ? { 'data-invalid': 'true' } : undefined,
			selected: old?.selected,
			markerEnd: { type: 'arrowclosed', color: data.problem ? 'var(--bad)' : modalityColor(data.modality), width: 16, height: 16 }
		});
	}
	return next;
}

export function modalityColor(modality: Modality | undefined): string {
	return modality ? `var(--${modality}-modality)` : 'var(--muted)';
}

const samePosition = (a: { x: number; y: number }, b: { x: number; y: number }) => a.x === b.x && a.y === b.y;

function shallowEqual(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
	if (a === b) return true;
	if (!a || !b) return false;
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	for (const k of keys) if (a[k] !== b[k]) return false;
	return true;
}
