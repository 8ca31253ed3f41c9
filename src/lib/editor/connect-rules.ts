import type { Modality, ModelInfo } from '$shared/platforms/types';
import type { GraphSnapshot } from './graph-binding';

export type ModelLookup = (modelId: string) => Pick<ModelInfo, 'input' | 'output' | 'name'> | undefined;

/**
 * Why an edge from `source`'s output to `target`'s input may not be drawn, or null when it
 * may. One rule for the drag path (Svelte Flow's isValidConnection) and the tap path, and
 * the words are shown to the person as they are: short, and saying what would work.
 * Loops and self-loops are fine; only modality and repeats are refused (a repeated pair
 * would be flagged as a duplicate edge by validateGraph).
 */
export function connectionProblem(graph: GraphSnapshot, modelOf: ModelLookup, source: string, target: string): string | null {
	const from = graph.nodes.find((n) => n.id === source);
	const to = graph.nodes.find((n) => n.id === target);
	if (!from || !to) return 'That node is gone.';
	const out = modelOf(from.modelId);
	const inp = modelOf(to.modelId);
	if (!out) return `${from.modelId} is not a known model, so its output cannot be connected.`;
	if (!inp) return `${to.modelId} is not a known model, so its input cannot be connected.`;
	if (out.output !== inp.input) return mismatch(out.output, inp.input, inp.name);
	if (graph.edges.some((e) => e.source === source && e.target === target)) return 'These two are already connected.';
	return null;
}

function mismatch(output: Modality, input: Modality, targetName: string): string {
	return `${output} output can't feed ${targetName}, which takes ${input}. Connect ${output} to ${output}.`;
}

/** Where a connection being made starts: a node's output (`source`) or its input (`target`). */
export interface ConnectionStart {
	nodeId: string;
	side: 'source' | 'target';
}

/**
 * How a port should look while a connection is being made from `from` (a drag or a tapped
 * output): 'accepts' when the connection may end on it, 'refuses' when it may not, null when
 * the port is on the same side as the start and plays no part. Same rule as the drop itself.
 */
export function portHint(
	graph: GraphSnapshot,
	modelOf: ModelLookup,
	from: ConnectionStart | null,
	nodeId: string,
	port: 'in' | 'out'
): 'accepts' | 'refuses' | null {
	if (!from) return null;
	if (from.side === 'source' && port === 'in') return connectionProblem(graph, modelOf, from.nodeId, nodeId) ? 'refuses' : 'accepts';
	if (from.side === 'target' && port === 'out') return connectionProblem(graph, modelOf, nodeId, from.nodeId) ? 'refuses' : 'accepts';
	return null;
}
