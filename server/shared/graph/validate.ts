import type { Modality, ModelInfo } from '../platforms/types';
import type { Graph } from './types';

/**
 * What is wrong (or notable) about a graph, for the canvas and the JSON API. Pure: it needs
 * only the graph and a model lookup, so the editor and the server run the same checks.
 */
export type GraphIssue =
	| { kind: 'unknown-model'; nodeId: string; modelId: string }
	| { kind: 'dangling-edge'; edgeId: string; missing: 'source' | 'target' }
	| { kind: 'modality-mismatch'; edgeId: string; output: Modality; input: Modality }
	| { kind: 'duplicate-edge'; edgeId: string }
	| { kind: 'missing-start' }
	| { kind: 'start-not-found'; nodeId: string }
	| { kind: 'start-rejects-prompt'; nodeId: string; input: Modality; prompt: Modality };

export interface GraphReport {
	issues: GraphIssue[];
	/** Edge ids that cannot carry anything (flagged on the canvas). */
	invalidEdges: Set<string>;
	/** Whether some node can reach itself: the network may run forever. */
	hasLoop: boolean;
}

export function validateGraph(
	graph: Pick<Graph, 'nodes' | 'edges' | 'startNodeId'>,
	modelOf: (modelId: string) => Pick<ModelInfo, 'input' | 'output'> | undefined,
	prompt: Modality = 'text'
): GraphReport {
	const issues: GraphIssue[] = [];
	const invalidEdges = new Set<string>();
	const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
	for (const node of graph.nodes) {
		if (!modelOf(node.modelId)) issues.push({ kind: 'unknown-model', nodeId: node.id, modelId: node.modelId });
	}
	const seen = new Set<string>();
	for (const edge of graph.edges) {
		const source = nodes.get(edge.source);
		const target = nodes.get(edge.target);
		if (!source || !target) {
			issues.push({ kind: 'dangling-edge', edgeId: edge.id, missing: source ? 'target' : 'source' });
			invalidEdges.add(edge.id);
			continue;
		}
		const pair = `${edge.source}\u0000${edge.target}`;
		if (seen.has(pair)) {
			issues.push({ kind: 'duplicate-edge', edgeId: edge.id });
			invalidEdges.add(edge.id);
		}
		seen.add(pair);
		const out = modelOf(source.modelId)?.output;
		const inp = modelOf(target.modelId)?.input;
		if (out && inp && out !== inp) {
			issues.push({ kind: 'modality-mismatch', edgeId: edge.id, output: out, input: inp });
			invalidEdges.add(edge.id);
		}
	}
	if (!graph.startNodeId) {
		if (graph.nodes.length) issues.push({ kind: 'missing-start' });
	} else if (!nodes.has(graph.startNodeId)) {
		issues.push({ kind: 'start-not-found', nodeId: graph.startNodeId });
	} else {
		const input = modelOf(nodes.get(graph.startNodeId)!.modelId)?.input;
		if (input && input !== prompt) issues.push({ kind: 'start-rejects-prompt', nodeId: graph.startNodeId, input, prompt });
	}
	const validEdges = graph.edges.filter((e) => !invalidEdges.has(e.id));
	return { issues, invalidEdges, hasLoop: hasCycle(graph.nodes.map((n) => n.id), validEdges) };
}

/** Whether a directed graph has a cycle (self-loops count), by iterative depth-first search. */
export function hasCycle(nodeIds: string[], edges: Array<{ source: string; target: string }>): boolean {
	const next = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
	for (const e of edges) next.get(e.source)?.push(e.target);
	const state = new Map<string, 'open' | 'done'>();
	for (const root of nodeIds) {
		if (state.has(root)) continue;
		const stack: Array<[string, number]> = [[root, 0]];
		state.set(root, 'open');
		while (stack.length) {
			const top = stack[stack.length - 1];
			const children = next.get(top[0]) ?? [];
			if (top[1] >= children.length) {
				state.set(top[0], 'done');
				stack.pop();
				continue;
			}
			const child = children[top[1]++];
			const s = state.get(child);
			if (s === 'open') return true;
			if (!s) {
				state.set(child, 'open');
				stack.push([child, 0]);
			}
		}
	}
	return false;
}

/** One line a person can act on, for each issue. */
export function describeIssue(issue: GraphIssue): string {
	switch (issue.kind) {
		case 'unknown-model':
			return `Node ${issue.nodeId} uses ${issue.modelId}, which this PANIC does not know.`;
		case 'dangling-edge':
			return `Edge ${issue.edgeId} has no ${issue.missing} node; delete it.`;
		case 'modality-mismatch':
			return `Edge ${issue.edgeId} joins a ${issue.output} output to a ${issue.input} input; they must match.`;
		case 'duplicate-edge':
			return `Edge ${issue.edgeId} repeats another edge between the same two nodes.`;
		case 'missing-start':
			return 'No start node: mark the node that takes the prompt.';
		case 'start-not-found':
			return `The start node ${issue.nodeId} is not in the graph.`;
		case 'start-rejects-prompt':
			return `The start node takes ${issue.input}, but the prompt is ${issue.prompt}.`;
	}
}
