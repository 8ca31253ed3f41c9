import type * as Y from 'yjs';
import { z } from 'zod';
import { badRequest, locked } from '../errors';
import { initGraphDoc, metaOf, readGraph, writeGraph } from '../shared/graph/doc';
import { GRAPH_LIMITS } from '../shared/graph/limits';
import { graphBytes, tooBigMessage } from '../graph/size';
import { graphSchema, type Graph } from '../shared/graph/types';
import { describeIssue, validateGraph } from '../shared/graph/validate';
import type { ModelInfo } from '../shared/platforms/types';
import { canEditGraph, type Viewer } from './access';
import type { Networks } from './networks';

/** The slice of the sync rooms this service needs: run code against a room's live doc. */
export interface LiveDocs {
	withRoom<T>(name: string, fn: (room: LiveRoom) => Promise<T> | T): Promise<T>;
}
export interface LiveRoom {
	read<T>(fn: (doc: Y.Doc) => T): T;
	/** `authors`: the users the write is done for (the history names them as its editors). */
	change(fn: (doc: Y.Doc) => void, origin: unknown, authors?: readonly string[]): Promise<void>;
}

export const LOCKED_MESSAGE = 'The canvas is locked for a performance; the owner can unlock it.';

/** An exported network: the graph plus a format tag so imports can tell what they got. */
export const networkFileSchema = z.object({
	format: z.literal('panic-network', { error: 'This is not a PANIC network file.' }),
	version: z.literal(1, { error: 'This network file comes from a newer PANIC; update this one.' }),
	name: z.string().trim().min(1).max(GRAPH_LIMITS.maxNameLength),
	graph: graphSchema
});
export type NetworkFile = z.infer<typeof networkFileSchema>;

/**
 * The graph of a network as JSON, read from and written to the live Y.Doc, so a PUT shows
 * up on every open canvas as one change. Writes are checked for structure (ids unique,
 * edges between existing nodes, known models); modality mismatches are allowed through and
 * reported, as the canvas flags them for people to fix.
 */
/** Finds a model by id for a network's owner: the curated catalogue, then models added by name. */
export interface ModelLookup {
	resolve(modelId: string, ownerId: string): Promise<ModelInfo | undefined>;
}

export class NetworkGraphs {
	constructor(
		private networks: Networks,
		private docs: LiveDocs,
		private models: ModelLookup,
		private hooks: { beforeReplace?(id: string, viewer: Viewer): Promise<void> } = {}
	) {}

	async get(id: string, viewer: Viewer | null) {
		const { network } = await this.networks.access(id, viewer);
		const graph = await this.docs.withRoom(id, (room) => room.read(readGraph));
		const models = await this.modelsOf(graph, network.ownerId);
		return { ...graph, name: network.name, ...this.report(graph, models) };
	}

	/**
	 * Replaces the graph. Everything is checked before the live doc is touched (and writeGraph
	 * rehearses the write on a scratch doc), so a refused graph leaves the old one as it was.
	 */
	async put(id: string, viewer: Viewer, graph: Graph) {
		const { network, role } = await this.networks.requireEditor(id, viewer);
		if (!canEditGraph(role, network.locked)) throw locked(LOCKED_MESSAGE);
		this.checkStructure(graph, await this.modelsOf(graph, network.ownerId));
		const { name: _ignored, ...rest } = graph; // renaming goes through PATCH /api/networks/:id
		// The history keeps the graph this replaces, so an import over it can be undone.
		await this.hooks.beforeReplace?.(id, viewer);
		await this.docs.withRoom(id, (room) => room.change((doc) => writeGraph(doc, rest), 'api', [viewer.id]));
		await this.networks.touch(id);
		return this.get(id, viewer);
	}

	/** Checks a graph's structure as if `ownerId` owned it, every model known (experiments, about to run it). */
	async check(graph: Graph, ownerId: string): Promise<void> {
		this.checkStructure(graph, await this.modelsOf(graph, ownerId));
	}

	/**
	 * Checks a network file's graph as if `ownerId` owned it, before importing it. Models this
	 * PANIC does not know are let through, unlike a PUT: a file may come from another PANIC
	 * (someone's models added by name) or name a model since retired, and editors can put any
	 * model id on a canvas over sync, so refusing them would break export-then-import. The
	 * canvas flags such nodes and a run through one is refused before it starts.
	 */
	async checkImport(graph: Graph, ownerId: string): Promise<void> {
		this.checkStructure(graph, await this.modelsOf(graph, ownerId), { unknownModels: 'keep' });
	}

	/** Sets up a new network's doc, with its graph when it has one (an import): one change, one stored row. */
	async init(id: string, name: string, graph?: Graph): Promise<void> {
		await this.docs.withRoom(id, (room) =>
			room.change((doc) => (graph ? writeGraph(doc, { ...graph, name }, 'server') : initGraphDoc(doc, name)), 'server')
		);
	}

	/** Tells every open canvas that the lock changed (see isLocked). */
	async setLocked(id: string, locked: boolean): Promise<void> {
		await this.docs.withRoom(id, (room) => room.change((doc) => metaOf(doc).set('locked', locked), 'server'));
	}

	async rename(id: string, name: string): Promise<void> {
		await this.docs.withRoom(id, (room) => room.change((doc) => metaOf(doc).set('name', name), 'server'));
	}

	/**
	 * The network as a file the import takes back. Edges whose node is gone (two people
	 * editing at once can leave one) and a start node that is gone carry nothing and would
	 * make the import refuse the file, so they are left out of it.
	 */
	async exportFile(id: string, viewer: Viewer | null): Promise<NetworkFile> {
		const { name, nodes, edges, startNodeId, notes } = await this.get(id, viewer);
		const nodeIds = new Set(nodes.map((n) => n.id));
		const graph = {
			nodes,
			edges: edges.filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target)),
			startNodeId: startNodeId && nodeIds.has(startNodeId) ? startNodeId : null,
			notes
		};
		return { format: 'panic-network', version: 1, name, graph };
	}

	/** Structural problems that would make a graph meaningless; each is a 400 naming the culprit. */
	private checkStructure(graph: Graph, models: ReadonlyMap<string, ModelInfo>, { unknownModels = 'refuse' } = {}): void {
		const unique = (ids: string[], what: string) => {
			const seen = new Set<string>();
			for (const id of ids) {
				if (seen.has(id)) throw badRequest(`Two ${what} share the id ${id}.`);
				seen.add(id);
			}
			return seen;
		};
		const nodeIds = unique(graph.nodes.map((n) => n.id), 'nodes');
		unique(graph.edges.map((e) => e.id), 'edges');
		unique((graph.notes ?? []).map((n) => n.id), 'notes');
		for (const node of graph.nodes) {
			if (unknownModels === 'refuse' && !models.has(node.modelId)) throw badRequest(`Node ${node.id} uses an unknown model: ${node.modelId}.`);
		}
		for (const edge of graph.edges) {
			if (!nodeIds.has(edge.source)) throw badRequest(`Edge ${edge.id} starts at a node that does not exist: ${edge.source}.`);
			if (!nodeIds.has(edge.target)) throw badRequest(`Edge ${edge.id} ends at a node that does not exist: ${edge.target}.`);
		}
		if (graph.startNodeId && !nodeIds.has(graph.startNodeId)) {
			throw badRequest(`The start node ${graph.startNodeId} is not one of the nodes.`);
		}
		const bytes = graphBytes(graph);
		if (bytes > GRAPH_LIMITS.maxGraphBytes) throw badRequest(tooBigMessage(bytes, GRAPH_LIMITS.maxGraphBytes));
	}

	/** The model of every node, curated or added by name (the owner's entry first). */
	private async modelsOf(graph: Graph, ownerId: string): Promise<Map<string, ModelInfo>> {
		const ids = [...new Set(graph.nodes.map((n) => n.modelId))];
		const found = await Promise.all(ids.map((id) => this.models.resolve(id, ownerId)));
		return new Map(found.filter((m): m is ModelInfo => m !== undefined).map((m) => [m.id, m]));
	}

	private report(graph: Graph, models: ReadonlyMap<string, ModelInfo>) {
		const report = validateGraph(graph, (id) => models.get(id));
		return {
			hasLoop: report.hasLoop,
			invalidEdges: [...report.invalidEdges],
			issues: report.issues.map((issue) => ({ ...issue, message: describeIssue(issue) }))
		};
	}
}
