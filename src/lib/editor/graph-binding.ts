import * as Y from 'yjs';
import { edgesOf, isLocked, metaOf, nodesOf, notesOf, readGraph, yMapOf } from '$shared/graph/doc';
import { GRAPH_LIMITS } from '$shared/graph/limits';
import type { Graph } from '$shared/graph/types';
import { newId } from './ids';

/** The graph as plain data, re-read from the Y.Doc after every change. */
export type GraphSnapshot = Required<Pick<Graph, 'nodes' | 'edges' | 'notes'>> & {
	startNodeId: string | null;
	/** meta.name: follows renames live; empty until the doc has synced. */
	name: string;
};

export interface BindingState {
	graph: GraphSnapshot;
	canUndo: boolean;
	canRedo: boolean;
	/** The canvas is locked for a performance (only the owner edits). */
	locked: boolean;
	/** Whether the change that produced this state came from this person (edit, undo or redo). */
	local: boolean;
}

export interface Position {
	id: string;
	x: number;
	y: number;
}

/**
 * The editor's only door to the shared graph doc (schema in DESIGN.md, "Sync contract").
 * Framework-free: it reads the doc into plain snapshots for whoever subscribes, and writes
 * local edits in transactions tagged with its own `origin`. The undo manager tracks that
 * origin alone, so undo reverts this person's edits and never someone else's.
 *
 * Undo granularity is explicit rather than timed: discrete edits (add, connect, delete, mark
 * start) are one step each, and continuous ones (a drag, typing in a note) merge until the
 * caller starts the next gesture with `beginGesture()`.
 */
export class GraphBinding {
	readonly origin = { editor: 'local' };
	readonly undoManager: Y.UndoManager;
	private listeners = new Set<(state: BindingState) => void>();
	private state: BindingState;

	constructor(readonly doc: Y.Doc) {
		this.undoManager = new Y.UndoManager([nodesOf(doc), edgesOf(doc), notesOf(doc), metaOf(doc)], {
			trackedOrigins: new Set([this.origin]),
			captureTimeout: Number.POSITIVE_INFINITY
		});
		this.state = this.read(false);
		doc.on('update', this.onUpdate);
		// Undo-stack changes without a doc change (e.g. a gesture boundary) still move the buttons.
		this.undoManager.on('stack-item-added', this.onStack);
		this.undoManager.on('stack-item-popped', this.onStack);
		this.undoManager.on('stack-cleared', this.onStack);
	}

	get current(): BindingState {
		return this.state;
	}

	/** Calls `fn` now and after every change; returns the unsubscribe function. */
	subscribe(fn: (state: BindingState) => void): () => void {
		this.listeners.add(fn);
		fn(this.state);
		return () => this.listeners.delete(fn);
	}

	destroy(): void {
		this.doc.off('update', this.onUpdate);
		this.undoManager.destroy();
		this.listeners.clear();
	}

	// ── local edits ────────────────────────────────────────────────────────────

	addNode(modelId: string, x: number, y: number): string {
		const id = newId('n');
		this.discrete(() => nodesOf(this.doc).set(id, yMapOf({ modelId, x: round(x), y: round(y) })));
		return id;
	}

	/** Joins `source`'s output to `target`'s input. Null when either node is gone. */
	connect(source: string, target: string): string | null {
		const nodes = nodesOf(this.doc);
		if (!nodes.has(source) || !nodes.has(target)) return null;
		const id = newId('e');
		this.discrete(() => edgesOf(this.doc).set(id, yMapOf({ source, target })));
		return id;
	}

	addNote(x: number, y: number, text = ''): string {
		const id = newId('note');
		this.discrete(() => notesOf(this.doc).set(id, yMapOf({ text, x: round(x), y: round(y) })));
		return id;
	}

	setStart(nodeId: string | null): void {
		if (nodeId && !nodesOf(this.doc).has(nodeId)) return;
		this.discrete(() => {
			if (nodeId) metaOf(this.doc).set('startNodeId', nodeId);
			else metaOf(this.doc).delete('startNodeId');
		});
	}

	/**
	 * Deletes nodes, edges and notes in one step. A deleted node takes its edges with it and
	 * stops being the start node, so the doc never points at something that is gone.
	 */
	remove(ids: { nodes?: string[]; edges?: string[]; notes?: string[] }): void {
		const nodeIds = new Set(ids.nodes ?? []);
		const edgeIds = new Set(ids.edges ?? []);
		const noteIds = ids.notes ?? [];
		if (!nodeIds.size && !edgeIds.size && !noteIds.length) return;
		this.discrete(() => {
			const nodes = nodesOf(this.doc);
			const edges = edgesOf(this.doc);
			edges.forEach((edge, id) => {
				if (nodeIds.has(edge.get('source') as string) || nodeIds.has(edge.get('target') as string)) edgeIds.add(id);
			});
			for (const id of edgeIds) edges.delete(id);
			for (const id of nodeIds) nodes.delete(id);
			for (const id of noteIds) notesOf(this.doc).delete(id);
			const meta = metaOf(this.doc);
			if (nodeIds.has(meta.get('startNodeId') as string)) meta.delete('startNodeId');
		});
	}

	/**
	 * Continuous edits: a drag's positions (nodes and notes alike). Items deleted meanwhile by
	 * someone else are skipped rather than brought back to life by a late position.
	 */
	move(nodes: Position[], notes: Position[] = []): void {
		const write = (map: Y.Map<Y.Map<unknown>>, items: Position[]) => {
			for (const { id, x, y } of items) {
				const item = map.get(id);
				if (!item) continue;
				if (item.get('x') !== round(x)) item.set('x', round(x));
				if (item.get('y') !== round(y)) item.set('y', round(y));
			}
		};
		this.doc.transact(() => {
			write(nodesOf(this.doc), nodes);
			write(notesOf(this.doc), notes);
		}, this.origin);
	}

	/** Continuous edit: typing in a note merges into one undo step per gesture. */
	setNoteText(id: string, text: string): void {
		const note = notesOf(this.doc).get(id);
		if (!note || note.get('text') === text) return;
		this.doc.transact(() => note.set('text', text), this.origin);
	}

	/**
	 * Replaces a node's settings (`params`, a plain JSON object as the doc schema and the
	 * sync write rule want it), or removes the field when `params` is undefined. One undo step
	 * per change. The whole object is written, so two people changing two settings of one node
	 * in the same instant keep one of the two: rare, and visible in both forms at once.
	 */
	setParams(id: string, params: Record<string, unknown> | undefined): void {
		const node = nodesOf(this.doc).get(id);
		if (!node) return;
		this.discrete(() => {
			if (params) node.set('params', params);
			else node.delete('params');
		});
	}

	/**
	 * Puts a whole graph (a version from the history) in place of the current one, as one
	 * transaction under this person's origin: everyone sees it at once, and one undo brings
	 * back what it replaced. The name stays: renaming goes through the network's settings.
	 */
	replaceGraph(graph: Graph): void {
		// Not writeGraph: it also stamps meta.schemaVersion, which only the server may write
		// (the sync write rule would refuse the whole update and close this socket).
		this.discrete(() => {
			const nodes = nodesOf(this.doc);
			const edges = edgesOf(this.doc);
			const notes = notesOf(this.doc);
			nodes.clear();
			edges.clear();
			notes.clear();
			for (const { id, ...fields } of graph.nodes) nodes.set(id, yMapOf(fields));
			for (const { id, ...fields } of graph.edges) edges.set(id, yMapOf(fields));
			for (const { id, ...fields } of graph.notes ?? []) notes.set(id, yMapOf(fields));
			const meta = metaOf(this.doc);
			if (graph.startNodeId) meta.set('startNodeId', graph.startNodeId);
			else if (meta.has('startNodeId')) meta.delete('startNodeId');
		});
	}

	/** Closes the current undo step: the next edit starts a new one. */
	beginGesture(): void {
		this.undoManager.stopCapturing();
	}

	undo(): void {
		this.undoManager.undo();
	}

	redo(): void {
		this.undoManager.redo();
	}

	// ── internals ──────────────────────────────────────────────────────────────

	private discrete(edit: () => void): void {
		this.undoManager.stopCapturing();
		this.doc.transact(edit, this.origin);
		this.undoManager.stopCapturing();
	}

	private read(local: boolean): BindingState {
		const { nodes, edges, notes = [], startNodeId = null, name } = readGraph(this.doc);
		return {
			graph: { nodes, edges, notes, startNodeId, name },
			canUndo: this.undoManager.canUndo(),
			canRedo: this.undoManager.canRedo(),
			locked: isLocked(this.doc),
			local
		};
	}

	private emit(state: BindingState): void {
		this.state = state;
		for (const fn of this.listeners) fn(state);
	}

	private onUpdate = (_update: Uint8Array, origin: unknown) => {
		this.emit(this.read(origin === this.origin || origin === this.undoManager));
	};

	private onStack = () => {
		const { canUndo, canRedo } = this;
		if (canUndo !== this.state.canUndo || canRedo !== this.state.canRedo) this.emit({ ...this.state, canUndo, canRedo });
	};

	private get canUndo() {
		return this.undoManager.canUndo();
	}

	private get canRedo() {
		return this.undoManager.canRedo();
	}
}

/**
 * Whole pixels are plenty for a canvas, and keep every drag update small on the wire. The
 * server refuses coordinates beyond GRAPH_LIMITS, so a node flung that far stops at the edge.
 */
const round = (n: number) => Math.max(-GRAPH_LIMITS.maxCoordinate, Math.min(GRAPH_LIMITS.maxCoordinate, Math.round(n)));
