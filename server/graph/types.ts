import { z } from 'zod';

/**
 * A network's graph as plain JSON: what GET/PUT /api/networks/:id/graph speak and what an
 * exported network file holds. The live copy is a Y.Doc (see doc.ts); this is its snapshot.
 */
const id = z.string().min(1).max(64).regex(/^[\w-]+$/, { error: 'Ids are letters, digits, _ and - only.' });
const coordinate = z.number().finite().min(-1e6).max(1e6);

export const graphNodeSchema = z.object({
	id,
	modelId: z.string().min(1).max(200),
	x: coordinate,
	y: coordinate,
	label: z.string().max(200).optional(),
	params: z.record(z.string(), z.unknown()).optional()
});

export const graphEdgeSchema = z.object({ id, source: id, target: id });

export const graphNoteSchema = z.object({ id, text: z.string().max(5000), x: coordinate, y: coordinate });

export const graphSchema = z.object({
	name: z.string().trim().min(1).max(120).optional(),
	nodes: z.array(graphNodeSchema).max(500),
	edges: z.array(graphEdgeSchema).max(2000),
	startNodeId: id.nullable().optional(),
	notes: z.array(graphNoteSchema).max(500).optional()
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphNote = z.infer<typeof graphNoteSchema>;
export type Graph = z.infer<typeof graphSchema>;
