import type { Connection, OnConnectEnd } from '@xyflow/svelte';
import { GRAPH_LIMITS } from '$shared/graph/limits';
import { describeIssue, validateGraph, type GraphReport } from '$shared/graph/validate';
import { acceptsValue, type ParamValue } from '$shared/platforms/param-checks';
import type { ModelInfo } from '$shared/platforms/types';
import type { Graph } from '$shared/graph/types';
import { connectionProblem } from './connect-rules';
import { acceptedSentence, paramsSizeProblem, paramsWith } from './param-form';
import { isNoteFlowId, noteFlowId, toFlowEdges, toFlowNodes, type FlowEdge, type FlowNode } from './flow-mapping';
import type { BindingState, GraphBinding, GraphSnapshot, Position } from './graph-binding';
import { throttle } from './throttle';
import { KeyBuffer } from './key-buffer';

type FinalConnectionState = Parameters<OnConnectEnd>[1];

export interface Notice {
	text: string;
	tone: 'info' | 'error';
}

/** ~20 position updates a second while dragging: smooth for peers, light on the wire. */
const DRAG_WRITE_MS = 50;
/** Refusals stay long enough to read; confirmations get out of the way. */
const NOTICE_MS = { error: 6000, info: 2500 } as const;

/**
 * The editor's state and actions, between the framework-free GraphBinding (the Y.Doc) and
 * the Svelte Flow canvas. It owns the flow's nodes and edges arrays: doc changes are merged
 * into them, and changes Svelte Flow makes (drags, keyboard nudges, selection) go through
 * `setFlowNodes`/`setFlowEdges`, where positions are written back to the doc. Components
 * read its fields and call its methods; none of them touches the doc.
 */
export class EditorController {
	nodes = $state.raw<FlowNode[]>([]);
	edges = $state.raw<FlowEdge[]>([]);
	graph = $state.raw<GraphSnapshot>({ nodes: [], edges: [], notes: [], startNodeId: null, name: '' });
	report = $state.raw<GraphReport>({ issues: [], invalidEdges: new Set(), hasLoop: false });
	canUndo = $state(false);
	canRedo = $state(false);
	/** The node whose output port was tapped, waiting for an input port (tap-to-connect). */
	pendingSource = $state<string | null>(null);
	notice = $state<Notice | null>(null);
	/**
	 * The note this person just added, whose text takes focus once it is on the canvas: left on
	 * the "+ Note" button, each space typed would press it again and add another empty note.
	 */
	noteToFocus = $state<string | null>(null);
	private earlyKeys: KeyBuffer | null = null;
	/** Set once when the shared graph first arrives from the server, so the canvas frames it. */
	needsFit = $state(false);
	/**
	 * The model node whose settings panel is open. `focus`: it was opened from the keyboard or
	 * the node menu, so the panel takes focus; opened by a click, focus stays on the canvas.
	 */
	settings = $state.raw<{ nodeId: string; focus: boolean } | null>(null);

	readonly selectedModelNodes = $derived(this.nodes.filter((n) => n.selected && n.type === 'model'));
	readonly hasSelection = $derived(this.nodes.some((n) => n.selected) || this.edges.some((e) => e.selected));

	/** The canvas is locked for a performance: editors (not the owner) only watch. */
	locked = $state(false);
	private binding: GraphBinding;
	private models: Map<string, ModelInfo>;
	private fitted = false;
	/** The canvas before the page started over on 4409, until the fresh doc's graph arrives (see resume). */
	private carried: { nodes: FlowNode[]; edges: FlowEdge[] } | null = null;
	private noticeTimer: ReturnType<typeof setTimeout> | undefined;
	private unsubscribe: () => void;
	private writeDrag = throttle((nodes: Position[], notes: Position[]) => this.binding.move(nodes, notes), DRAG_WRITE_MS);

	/**
	 * `access`: what the role allows — `viewer` never edits, `editor` edits unless locked,
	 * `owner` always edits (a boolean is shorthand: true is a viewer, false an owner).
	 */
	constructor(
		binding: GraphBinding,
		models: ModelInfo[],
		private access: 'owner' | 'editor' | 'viewer' | boolean
	) {
		if (typeof access === 'boolean') this.access = access ? 'viewer' : 'owner';
		this.binding = binding;
		this.models = new Map(models.map((m) => [m.id, m]));
		this.unsubscribe = binding.subscribe((state) => this.apply(state));
	}

	/** Viewers never edit; editors do unless the canvas is locked (reactive: `locked` is state). */
	get readOnly(): boolean {
		return this.access === 'viewer' || (this.access === 'editor' && this.locked);
	}

	modelOf = (modelId: string): ModelInfo | undefined => this.models.get(modelId);

	destroy(): void {
		this.writeDrag.cancel();
		clearTimeout(this.noticeTimer);
		this.unsubscribe();
	}

	// ── doc → canvas ───────────────────────────────────────────────────────────

	/**
	 * Carries on from the canvas as it was before the graph room's history was reset: when the
	 * fresh doc's graph arrives it keeps that selection, and the view is not framed anew.
	 */
	resume(previous: { nodes: FlowNode[]; edges: FlowEdge[] }): void {
		this.carried = { nodes: previous.nodes.map((n) => ({ ...n, dragging: false })), edges: previous.edges };
		this.fitted = true;
	}

	private apply({ graph, canUndo, canRedo, locked, local }: BindingState): void {
		const carried = this.carried && (graph.nodes.length || graph.notes.length) ? this.carried : null;
		if (carried) this.carried = null;
		this.graph = graph;
		this.locked = locked;
		if (this.readOnly) this.pendingSource = null;
		this.canUndo = canUndo;
		this.canRedo = canRedo;
		this.report = validateGraph(graph, this.modelOf);
		this.nodes = toFlowNodes(graph, carried?.nodes ?? this.nodes);
		this.edges = toFlowEdges(graph, carried?.edges ?? this.edges, (id) => this.modelOf(id)?.output, edgeProblems(this.report));
		if (this.pendingSource && !graph.nodes.some((n) => n.id === this.pendingSource)) this.pendingSource = null;
		if (this.settings && !graph.nodes.some((n) => n.id === this.settings!.nodeId)) this.settings = null;
		// Notes count: a canvas of notes alone, drawn on a laptop, is off the edge of a phone's view.
		if (!local && !this.fitted && (graph.nodes.length || graph.notes.length)) this.fitted = this.needsFit = true;
	}

	// ── canvas → doc ───────────────────────────────────────────────────────────

	/**
	 * Svelte Flow hands back the whole nodes array after each drag step, keyboard nudge or
	 * selection change. Positions that differ from the doc are written: throttled while a
	 * drag is live, at once otherwise (which includes the drop that ends a drag, so the
	 * final position is never lost to the throttle).
	 */
	setFlowNodes(next: FlowNode[]): void {
		const wasOnly = onlySelectedModel(this.nodes);
		this.nodes = next;
		// Selecting one model node (click, keyboard, box) opens its settings.
		const only = onlySelectedModel(next);
		if (only && only !== wasOnly) this.openSettings(only);
		if (this.readOnly) return;
		const inDoc = new Map<string, { x: number; y: number }>();
		for (const n of this.graph.nodes) inDoc.set(n.id, n);
		for (const n of this.graph.notes) inDoc.set(noteFlowId(n.id), n);
		const live: FlowNode[] = [];
		const settled: FlowNode[] = [];
		for (const node of next) {
			const was = inDoc.get(node.id);
			if (!was || (Math.round(node.position.x) === was.x && Math.round(node.position.y) === was.y)) continue;
			(node.dragging ? live : settled).push(node);
		}
		if (live.length) this.writeDrag(...splitPositions(live));
		if (settled.length) {
			this.writeDrag.cancel();
			this.binding.move(...splitPositions(settled));
		}
	}

	setFlowEdges(next: FlowEdge[]): void {
		this.edges = next;
	}

	/** A drag is one undo step, however long it takes. */
	dragStarted(): void {
		this.binding.beginGesture();
	}

	dragStopped(): void {
		this.writeDrag.flush();
		this.binding.beginGesture();
	}

	// ── connecting ─────────────────────────────────────────────────────────────

	isValidConnection = (c: Connection | FlowEdge): boolean =>
		!this.readOnly && !!c.source && !!c.target && !connectionProblem(this.graph, this.modelOf, c.source, c.target);

	connect(source: string, target: string): boolean {
		if (this.readOnly) return false;
		const problem = connectionProblem(this.graph, this.modelOf, source, target) ?? this.fullProblem('edges');
		if (problem) {
			this.say(problem, 'error');
			return false;
		}
		this.binding.connect(source, target);
		this.say('Connected.', 'info');
		return true;
	}

	/** After a dragged connection is dropped on a port that refused it, say why. */
	connectionDropped(state: FinalConnectionState): void {
		if (!state.toHandle || state.isValid || !state.fromHandle) return;
		const [source, target] =
			state.fromHandle.type === 'source' ? [state.fromHandle.nodeId, state.toHandle.nodeId] : [state.toHandle.nodeId, state.fromHandle.nodeId];
		const problem = connectionProblem(this.graph, this.modelOf, source, target);
		if (problem) this.say(problem, 'error');
	}

	/**
	 * Touch-friendly connecting: tap an output port, then an input port. Tapping the same
	 * output again cancels; a refused input keeps the output picked so another can be tried.
	 */
	tapPort(nodeId: string, port: 'in' | 'out'): void {
		if (this.readOnly) return;
		if (port === 'out') {
			if (this.pendingSource === nodeId) return this.cancelPending();
			this.pendingSource = nodeId;
			const output = this.modelOf(this.graph.nodes.find((n) => n.id === nodeId)?.modelId ?? '')?.output;
			this.say(`Now tap an input port${output ? ` that takes ${output}` : ''}.`, 'info', false);
			return;
		}
		if (!this.pendingSource) return this.say('Tap an output port (right side) first, then this input.', 'info');
		if (this.connect(this.pendingSource, nodeId)) this.pendingSource = null;
	}

	cancelPending(): void {
		if (!this.pendingSource) return;
		this.pendingSource = null;
		this.notice = null;
	}

	// ── other edits ────────────────────────────────────────────────────────────

	addModel(modelId: string, at: { x: number; y: number }): string | null {
		if (this.readOnly || !this.modelOf(modelId) || this.refuseWhenFull('nodes')) return null;
		return this.binding.addNode(modelId, at.x, at.y);
	}

	addNote(at: { x: number; y: number }): string | null {
		if (this.readOnly || this.refuseWhenFull('notes')) return null;
		const id = this.binding.addNote(at.x, at.y);
		this.noteToFocus = id;
		this.earlyKeys?.stop();
		this.earlyKeys = typeof window === 'undefined' ? null : new KeyBuffer(window);
		return id;
	}

	/** Keys typed between "+ Note" and the new note taking focus (see KeyBuffer). */
	takeEarlyKeys(): string {
		const text = this.earlyKeys?.take() ?? '';
		this.earlyKeys = null;
		return text;
	}

	/**
	 * The server closes the socket of an editor whose update goes past GRAPH_LIMITS, so the
	 * editor says no first (the server stays the judge: two people adding the last node at
	 * once can still cross it).
	 */
	private fullProblem(kind: 'nodes' | 'edges' | 'notes'): string | null {
		const max = { nodes: GRAPH_LIMITS.maxNodes, edges: GRAPH_LIMITS.maxEdges, notes: GRAPH_LIMITS.maxNotes }[kind];
		return this.graph[kind].length >= max ? `A network holds at most ${max} ${kind}; delete some first.` : null;
	}

	private refuseWhenFull(kind: 'nodes' | 'notes'): boolean {
		const problem = this.fullProblem(kind);
		if (problem) this.say(problem, 'error');
		return !!problem;
	}

	setNoteText(noteId: string, text: string): void {
		if (!this.readOnly) this.binding.setNoteText(noteId, text);
	}

	/** Marks the node as where runs start; marking the start node again unmarks it. */
	toggleStart(nodeId: string): void {
		if (this.readOnly) return;
		this.binding.setStart(this.graph.startNodeId === nodeId ? null : nodeId);
	}

	deleteSelected(): void {
		if (this.readOnly) return;
		const nodes: string[] = [];
		const notes: string[] = [];
		for (const n of this.nodes) {
			if (!n.selected) continue;
			if (n.type === 'note') notes.push(n.data.noteId);
			else nodes.push(n.id);
		}
		const edges = this.edges.filter((e) => e.selected).map((e) => e.id);
		this.binding.remove({ nodes, edges, notes });
	}

	deleteNode(flowId: string): void {
		if (this.readOnly) return;
		const node = this.nodes.find((n) => n.id === flowId);
		if (node?.type === 'note') this.binding.remove({ notes: [node.data.noteId] });
		else if (node) this.binding.remove({ nodes: [node.id] });
	}

	/** A version from the history becomes the live graph: one change for everyone, one undo step for this person. */
	replaceGraph(graph: Graph): void {
		if (this.readOnly) return;
		this.cancelPending();
		this.binding.replaceGraph(graph);
	}

	/** Keeps typing in one note, or one keyboard nudge session, as a single undo step. */
	beginGesture(): void {
		this.binding.beginGesture();
	}

	undo(): void {
		if (this.readOnly) return;
		this.cancelPending();
		this.binding.undo();
	}

	redo(): void {
		if (this.readOnly) return;
		this.cancelPending();
		this.binding.redo();
	}

	// ── node settings ──────────────────────────────────────────────────────────

	/** Opens the settings panel for a model node (viewers too: they see it read-only). */
	openSettings(nodeId: string, focus = false): void {
		if (this.graph.nodes.some((n) => n.id === nodeId)) this.settings = { nodeId, focus };
	}

	closeSettings(): void {
		this.settings = null;
	}

	/**
	 * Writes one setting into the node's params in the shared doc (the sync write rule still
	 * judges it on the server). Checked first with the adapters' own acceptsValue and the
	 * params size limit, so nothing a run would refuse is written. Undefined removes the key:
	 * back to the default, or a key the model no longer takes. Returns why not, or null.
	 */
	setParam(nodeId: string, key: string, value: ParamValue | undefined): string | null {
		if (this.readOnly) return 'You can only look at these settings.';
		const node = this.graph.nodes.find((n) => n.id === nodeId);
		if (!node) return 'That node is gone.';
		if (value !== undefined) {
			const spec = this.modelOf(node.modelId)?.params?.find((s) => s.key === key);
			if (!spec) return 'This model does not take that setting.';
			if (!acceptsValue(spec, value)) return acceptedSentence(spec);
		}
		if (node.params?.[key] === value) return null;
		const next = paramsWith(node.params, key, value);
		const problem = paramsSizeProblem(next);
		if (problem) return problem;
		this.binding.setParams(nodeId, next);
		return null;
	}

	say(text: string, tone: Notice['tone'], expires = true): void {
		clearTimeout(this.noticeTimer);
		this.notice = { text, tone };
		if (expires) this.noticeTimer = setTimeout(() => (this.notice = null), NOTICE_MS[tone]);
	}
}

/** For each edge validateGraph flagged, the sentences saying why. */
function edgeProblems(report: GraphReport): Map<string, string> {
	const problems = new Map<string, string>();
	for (const issue of report.issues) {
		if (!('edgeId' in issue)) continue;
		const said = problems.get(issue.edgeId);
		problems.set(issue.edgeId, said ? `${said} ${describeIssue(issue)}` : describeIssue(issue));
	}
	return problems;
}

function onlySelectedModel(nodes: readonly FlowNode[]): string | null {
	let only: string | null = null;
	for (const n of nodes) {
		if (!n.selected) continue;
		if (only || n.type !== 'model') return null;
		only = n.id;
	}
	return only;
}

function splitPositions(nodes: FlowNode[]): [Position[], Position[]] {
	const models: Position[] = [];
	const notes: Position[] = [];
	for (const n of nodes) {
		if (n.type === 'note' && isNoteFlowId(n.id)) notes.push({ id: n.data.noteId, ...n.position });
		else models.push({ id: n.id, ...n.position });
	}
	return [models, notes];
}
