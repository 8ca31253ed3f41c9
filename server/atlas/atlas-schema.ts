import { z } from 'zod';

/**
 * The Atlas (../shared/atlas.ts) as a zod schema, for the API description and for reading an
 * atlas.json back. Strict: a new field must be described here first.
 */
const modality = z.enum(['text', 'image', 'audio']);
const period = z.number().int().min(1).nullable().describe('1 a fixed point, n an n-cycle, null no exact repeat at the end.');

const outputShape = z.strictObject({
	kind: modality,
	text: z.string().optional(),
	url: z.string().optional().describe('/assets/<sha256>.<ext> for images and sound.'),
	runId: z.string(),
	seq: z.number().int()
});

const attractorShape = z.strictObject({
	id: z.string().describe('T1, I1, A1…: modality and rank by basin.'),
	examples: z.array(outputShape).describe('The medoid end state first, then up to two others.'),
	basin: z.number().int().min(1).describe('Runs ending here.'),
	prompts: z.array(z.strictObject({ prompt: z.string(), runs: z.number().int() })),
	runIds: z.array(z.string()),
	medianStepsToReach: z.number().describe('Median step from which the runs’ outputs of this modality stay here.'),
	period,
	periods: z.array(z.strictObject({ period, runs: z.number().int() }))
});

export const atlasShape = z.strictObject({
	format: z.literal('panic-atlas'),
	version: z.strictObject({ atlas: z.number().int(), panic: z.string() }).describe('The code that computed it.'),
	runs: z.number().int(),
	modalities: z.array(
		z.strictObject({
			kind: modality,
			embedder: z.string(),
			threshold: z.number().describe('Cosine similarity at or above which outputs share an attractor.'),
			runs: z.number().int().describe('Runs with an end state of this modality: the sum of the basins.'),
			attractors: z.array(attractorShape),
			transitions: z.strictObject({
				states: z.array(z.string()).describe('Attractor ids, then "transient".'),
				counts: z.array(z.array(z.number().int())).describe('counts[i][j]: steps from state i to state j, over all runs.'),
				dwell: z.array(z.number().nullable()).describe('Mean length of an unbroken stay in each state, in steps of this modality.'),
				absorbing: z.array(z.string()).describe('Attractors no run left once in them.')
			})
		})
	),
	runList: z.array(
		z.strictObject({
			runId: z.string(),
			prompt: z.string(),
			steps: z.number().int(),
			ends: z.array(z.strictObject({ kind: modality, attractor: z.string(), reachedAt: z.number().int(), period })),
			paths: z.array(z.strictObject({ kind: modality, states: z.array(z.string().nullable()) }))
		})
	)
});
