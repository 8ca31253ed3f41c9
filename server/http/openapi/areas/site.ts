import { z } from 'zod';
import { catalogueFilterSchema } from '../../../platforms/catalogue';
import { operations } from '../operation';
import { modelShape } from '../shapes';

/** What anyone may read: health, the model catalogue, and this description itself. */

export const siteOperations = operations([
	{
		method: 'GET',
		path: '/api/health',
		summary: 'Whether the server is up: migrations ran and the database answers.',
		who: 'Anyone.',
		credentials: [],
		responses: { 200: { description: 'Healthy.', json: z.strictObject({ ok: z.literal(true) }) } }
	},
	{
		method: 'GET',
		path: '/api/models',
		summary: 'The model catalogue (and, signed in, the models the user added, marked custom).',
		who: 'Anyone.',
		credentials: [],
		query: catalogueFilterSchema,
		responses: { 200: { description: 'Models.', json: z.array(modelShape) } }
	},
	{
		method: 'GET',
		path: '/api/openapi.json',
		summary: 'This description of the API, as OpenAPI 3.1.',
		who: 'Anyone.',
		credentials: [],
		responses: {
			200: {
				description: 'The OpenAPI document.',
				json: z.looseObject({ openapi: z.string().startsWith('3.1'), info: z.looseObject({ title: z.string() }), paths: z.record(z.string(), z.unknown()) })
			}
		},
		errors: { 429: 'Asked too often from one address.' }
	}
]);
