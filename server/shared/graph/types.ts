import { z } from 'zod';
import { GRAPH_LIMITS as L } from './limits';
import { plainJsonObjectProblem } from './plain-json';

/**
 * A network's graph as plain JSON: what GET/PUT /api/networks/:id/graph speak and what an
 * exported network file holds. The live copy is a Y.Doc (see doc.ts); this is its snapshot.
 * The field shapes are exported on their own so the sync write rule checks a single field
 * of a node, edge or note against exactly what the API would accept.
 */
export const graphIdSchema = z
	.string()
	.min(1)
	.max(L.maxIdLength)
	.regex(/^[\w-]+$/, { error: 'Ids are letters, digits, _ and - only.' });
const coordinate = z.number().finite().min(-L.maxCoordinate).max(L.maxCoordinate);

export const paramsSchema = z.custom<Record<string, unknown>>().superRefine((value, ctx) => {
	const problem = plainJsonObjectProblem(value, { maxBytes: L.maxParamsBytes, maxDepth: L.maxParamsDepth });
	if (problem) ctx.addIssue({ code: 'custom', message: `Params ${problem}` });
});

export const nodeFields = {
	modelId: z.string().min(1).max(L.maxModelIdLength),
	x: coordinate,
	y: coordinate,
	label: z.string().max(L.maxLabelLength).optional(),
	params: paramsSchema.optional()
};
export const edgeFields = { source: graphIdSchema, target: graphIdSchema };
export const noteFields = { text: z.string().max(L.maxNoteLength), x: coordinate, y: coordinate };

export const graphNodeSchema = z.object({ id: graphIdSchema, ...nodeFields });
export const graphEdgeSchema = z.object({ id: graphIdSchema, ...edgeFields });
export const graphNoteSchema = z.object({ id: graphIdSchema, ...noteFields });

export const graphSchema = z.object({
	name: z.string().trim().min(1).max(L.maxNameLength).optional(),
	nodes: z.array(graphNodeSchema).max(L.maxNodes),
	edges: z.array(graphEdgeSchema).max(L.maxEdges),
	startNodeId: graphIdSchema.nullable().optional(),
	notes: z.array(graphNoteSchema).max(L.maxNotes).optional()
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphNote = z.infer<typeof graphNoteSchema>;
export type Graph = z.infer<typeof graphSchema>;
