import { z } from 'zod';

/**
 * What a display screen shows, like the original installation's watchers:
 * - `grid`: rows × columns of the newest cards, each new card taking the next slot in turn
 *   (so the wall changes one tile at a time instead of scrolling);
 * - `single`: one card at a time, the newest whose seq % stride === offset (several screens
 *   with the same stride and offsets 0…stride-1 show consecutive steps side by side),
 *   optionally showing that a matching invocation is running;
 * - `vestaboard`: the newest text card on a split-flap board, through its read-write key.
 */
export const gridSchema = z.object({ rows: z.number().int().min(1).max(8), cols: z.number().int().min(1).max(12) }).strict();
export const singleSchema = z
	.object({ stride: z.number().int().min(1).max(64), offset: z.number().int().min(0).max(63), showRunning: z.boolean().default(false) })
	.strict()
	.refine((s) => s.offset < s.stride, { message: 'The offset must be smaller than the stride.', path: ['offset'] });

export const displaySchema = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('grid'), grid: gridSchema }).strict(),
	z.object({ kind: z.literal('single'), single: singleSchema }).strict()
]);
export type Display = z.infer<typeof displaySchema>;

export { gridSlot, singleShows } from '../shared/displays/slots';
