import { z } from 'zod';
import { analysisQuerySchema } from '../../../analysis/analysis-service';
import { atlasQuerySchema } from '../../../atlas/atlas-service';
import { atlasShape } from '../../../atlas/atlas-schema';
import { runPageSchema, startRunSchema } from '../../../engine/runs-service';
import { runExportQuerySchema } from '../../request-schemas';
import { operations } from '../operation';
import { idShape, invocationShape, runShape } from '../shapes';

/** Runs: start, read, steer, analyse, export and import. */

const runId = { id: { description: 'The run id.' } };
const viewers = 'Anyone who may see the run’s network.';
const steerers = 'The owner and editors (a site admin may steer any run they can see).';

export const runOperations = operations([
	{
		method: 'GET',
		path: '/api/networks/{id}/runs',
		summary: 'The network’s runs, newest first.',
		who: viewers,
		credentials: ['session'],
		params: { id: { description: 'The network id.' } },
		responses: { 200: { description: 'Runs.', json: z.array(runShape) } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/runs',
		summary: 'Start a run, replacing the active one.',
		who: 'The owner and editors.',
		credentials: ['session'],
		params: { id: { description: 'The network id.' } },
		body: startRunSchema,
		responses: { 201: { description: 'The new run.', json: z.strictObject({ runId: idShape }) } },
		errors: { 409: 'The graph cannot run (no start node, a missing key, …).' }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}',
		summary: 'A run with its invocations by seq; ?after=<seq>&limit=<n> pages on.',
		who: viewers,
		credentials: ['session'],
		params: runId,
		query: runPageSchema,
		responses: {
			200: {
				description: 'The run.',
				json: runShape.extend({
					graph: z.record(z.string(), z.unknown()).describe('The wiring the run followed.'),
					invocations: z.array(invocationShape),
					nextAfter: z.number().int().nullable()
				})
			}
		}
	},
	{
		method: 'POST',
		path: '/api/runs/{id}/stop',
		summary: 'Stop a run.',
		who: steerers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'The run, and whether this call stopped it.', json: runShape.extend({ stoppedNow: z.boolean() }) } }
	},
	{
		method: 'POST',
		path: '/api/runs/{id}/pause',
		summary: 'Pause a running run (it keeps the network).',
		who: steerers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'The run, paused.', json: runShape } }
	},
	{
		method: 'POST',
		path: '/api/runs/{id}/resume',
		summary: 'Resume a paused run.',
		who: steerers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'The run, running.', json: runShape } }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}/analysis',
		summary: 'A run’s loop analysis: drift, recurrence, cycles, clusters.',
		who: viewers,
		credentials: ['session'],
		params: runId,
		query: analysisQuerySchema,
		responses: {
			200: {
				description: 'The analysis (RunAnalysis).',
				json: z.looseObject({
					runId: idShape,
					steps: z.number().int(),
					// The first step analysed: runs longer than the analysis window are analysed over their newest steps.
					fromStep: z.number().int().min(1),
					embedder: z.string(),
					fixedPoint: z.looseObject({ kind: z.enum(['fixed_point', 'cycle']), period: z.number().int() }).nullable(),
					converging: z.looseObject({ sinceStep: z.number() }).nullable(),
					drift: z.array(z.looseObject({})),
					recurrence: z.strictObject({ seqs: z.array(z.number().int()), matrix: z.array(z.array(z.number().nullable())) }),
					cycles: z.array(z.looseObject({})),
					clusters: z.array(z.looseObject({}))
				})
			}
		}
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/atlas',
		summary: 'The attractor atlas of the network’s runs: end states clustered per modality, basins, steps to reach, periods, transitions.',
		who: 'Anyone who may see the network. Computing one is limited per person (cached atlases are free).',
		credentials: ['session'],
		params: { id: { description: 'The network id.' } },
		query: atlasQuerySchema,
		responses: { 200: { description: 'The atlas (Atlas).', json: atlasShape } },
		errors: { 404: 'No such network, or a run in ?runs= is not one of its runs.', 429: 'Too many atlases computed lately.', 503: 'Other atlases are being computed.' }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/runs/export.zip',
		summary: 'The network’s finished runs (or ?runs=) as one ZIP: runs/<id>.panic-run.json each, atlas.json, and assets/.',
		who: 'Anyone who may see the network. Counts as an atlas computation unless the atlas is cached.',
		credentials: ['session'],
		params: { id: { description: 'The network id.' } },
		query: atlasQuerySchema,
		responses: { 200: { description: 'A ZIP download.', media: 'application/zip', download: true } },
		errors: { 404: 'No such network, or a run in ?runs= is not one of its runs.', 429: 'Too many atlases computed lately.', 503: 'Other atlases are being computed.' }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}/events',
		summary: 'A run as it happens, as Server-Sent Events: run, invocations, analysis, end.',
		who: viewers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'An event stream.', media: 'text/event-stream' } }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}/export',
		summary: 'The run as a panic-run JSON file with every invocation (?format=zip and ?format=csv as below).',
		who: viewers,
		credentials: ['session'],
		params: runId,
		query: runExportQuerySchema,
		responses: { 200: { description: 'The file, streamed as a download.', media: 'application/json', download: true } }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}/export.zip',
		summary: 'The run as a ZIP: run.json plus assets/<sha256>.<ext> for every image and sound it references.',
		who: viewers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'The archive.', media: 'application/zip', download: true } }
	},
	{
		method: 'GET',
		path: '/api/runs/{id}/invocations.csv',
		summary: 'The run’s invocations as CSV, one row each by seq.',
		who: viewers,
		credentials: ['session'],
		params: runId,
		responses: { 200: { description: 'The table.', media: 'text/csv', download: true } }
	},
	{
		method: 'POST',
		path: '/api/runs/import',
		summary: 'Import a run export (the ZIP, or run.json alone) as a new private network with the run in it.',
		who: 'Anyone signed in.',
		credentials: ['session'],
		upload: { 'application/zip': 'The export ZIP.', 'application/json': 'run.json alone (a run without images or sound).' },
		responses: { 201: { description: 'Where it went.', json: z.strictObject({ networkId: idShape, runId: idShape }) } }
	}
]);
