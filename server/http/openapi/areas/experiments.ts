import { z } from 'zod';
import { experimentAtlasQuerySchema } from '../../../atlas/atlas-service';
import { atlasShape } from '../../../atlas/atlas-schema';
import { startExperimentSchema } from '../../request-schemas';
import { operations } from '../operation';
import { dateTime, idShape } from '../shapes';

/** Experiments from the browser (issue 16): prompts × runs × steps on one network, live progress, cancel. */

const experimentId = { id: { description: 'The experiment id.' } };
const networkId = { id: { description: 'The network id.' } };
const viewers = 'Anyone who may see the experiment’s network.';
const editors = 'The owner and editors.';

export const experimentShape = z.strictObject({
	id: idShape,
	networkId: idShape,
	networkName: z.string().optional(),
	createdBy: idShape.nullable(),
	prompts: z.array(z.string()),
	runsPerPrompt: z.number().int(),
	steps: z.number().int().describe('The step budget of each run.'),
	concurrency: z.number().int().min(1).max(4).describe('Runs going at once, each on its own lane of the network.'),
	status: z.enum(['queued', 'running', 'done', 'cancelled', 'failed']),
	reason: z.string().nullable().describe('Why it was cancelled or failed, for people.'),
	runsTotal: z.number().int(),
	runsDone: z.number().int(),
	stepsDone: z.number().int(),
	stepsTotal: z.number().int().describe('runsTotal × steps: the most it can take.'),
	createdAt: dateTime,
	finishedAt: dateTime.nullable()
});

export const experimentRunShape = z.strictObject({
	seq: z.number().int().describe('Place in the plan: prompt by prompt, run by run.'),
	promptIndex: z.number().int(),
	prompt: z.string(),
	run: z.number().int().describe('1-based: the n-th run of this prompt.'),
	runId: idShape,
	status: z.string().describe('`running` until the run ended and was analysed, then the run’s status.'),
	stopCause: z.string().nullable(),
	steps: z.number().int().nullable(),
	fixedPointStep: z.number().nullable(),
	period: z.number().int().nullable(),
	finalDrift: z.number().nullable(),
	error: z.string().nullable()
});

export const summaryRowShape = z.strictObject({
	network: z.string(),
	networkId: idShape,
	prompt: z.string(),
	runs: z.number().int(),
	reachedFixedPoint: z.number().int(),
	medianStepsToFixedPoint: z.number().nullable(),
	periods: z.array(z.number().int()),
	meanFinalDrift: z.number().nullable(),
	runIds: z.array(idShape)
});

const estimateShape = z.strictObject({
	invocations: z.number().int().describe('Model calls at most: prompts × runs × steps.'),
	models: z.array(
		z.strictObject({
			modelId: z.string(),
			name: z.string(),
			platform: z.string(),
			usdPerCall: z.number().nullable().describe('Null when the price depends on the call (tokens, seconds) or is not known.'),
			pricing: z.string().nullable()
		})
	),
	lowUsd: z.number().nullable().describe('Every step through the cheapest model; null when a price is unknown.'),
	highUsd: z.number().nullable().describe('Every step through the dearest model; null when a price is unknown.'),
	free: z.boolean().describe('Only built-in models: nothing is spent.')
});

export const experimentOperations = operations([
	{
		method: 'GET',
		path: '/api/networks/{id}/experiments',
		summary: 'The network’s experiments, newest first.',
		who: 'Anyone who may see the network.',
		credentials: ['session'],
		params: networkId,
		responses: { 200: { description: 'Experiments.', json: z.array(experimentShape) } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/experiments',
		summary: 'Start an experiment: 1–200 prompts × 1–20 runs × 1–1000 steps through the engine, 1–4 runs at once (`concurrency`, default 1).',
		who: editors,
		credentials: ['session'],
		params: networkId,
		body: startExperimentSchema,
		responses: { 201: { description: 'The experiment, running.', json: experimentShape } },
		errors: {
			409: 'A run or another experiment is going on the network.',
			429: 'Too many starts lately, or the owner’s run limit has no room for `concurrency` more runs.'
		}
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/experiments/estimate',
		summary: 'What an experiment would cost, without starting it (hosted models’ per-call prices; unknown where they depend on the call).',
		who: editors,
		credentials: ['session'],
		params: networkId,
		body: startExperimentSchema,
		responses: { 200: { description: 'The estimate.', json: estimateShape } }
	},
	{
		method: 'GET',
		path: '/api/experiments/{id}',
		summary: 'An experiment with its runs, the summary of those finished, and their results.json rows.',
		who: viewers,
		credentials: ['session'],
		params: experimentId,
		responses: {
			200: {
				description: 'The experiment.',
				json: experimentShape.extend({
					networkName: z.string(),
					runs: z.array(experimentRunShape),
					summary: z.array(summaryRowShape),
					results: z.array(z.record(z.string(), z.unknown())).describe('One results.json row per finished run (the CLI’s format).')
				})
			}
		}
	},
	{
		method: 'GET',
		path: '/api/experiments/{id}/atlas',
		summary: 'The attractor atlas of the experiment’s finished runs (as for a network’s runs).',
		who: `${viewers} Computing one is limited per person (cached atlases are free).`,
		credentials: ['session'],
		params: experimentId,
		query: experimentAtlasQuerySchema,
		responses: { 200: { description: 'The atlas (Atlas).', json: atlasShape } },
		errors: { 404: 'No such experiment.', 409: 'None of its runs has finished yet.', 429: 'Too many atlases computed lately.', 503: 'Other atlases are being computed.' }
	},
	{
		method: 'POST',
		path: '/api/experiments/{id}/cancel',
		summary: 'Cancel an experiment: the run in flight stops and no more start.',
		who: `${editors} (a site admin may cancel any they can see).`,
		credentials: ['session'],
		params: experimentId,
		responses: { 200: { description: 'The experiment, cancelled.', json: experimentShape } },
		errors: { 409: 'It has already ended.' }
	},
	{
		method: 'GET',
		path: '/api/experiments/{id}/events',
		summary: 'An experiment as it happens, as Server-Sent Events: experiment, run, end.',
		who: viewers,
		credentials: ['session'],
		params: experimentId,
		responses: { 200: { description: 'An event stream.', media: 'text/event-stream' } }
	}
]);
