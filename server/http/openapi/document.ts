import { createHash } from 'node:crypto';
import { z } from 'zod';
import pkg from '../../../package.json';
import { AUDIENCE_COOKIE } from '../../audience/sessions';
import { SESSION_COOKIE } from '../../auth/session-token';
import type { Answer, Credential, Operation } from './operation';
import { API_AREAS } from './registry';
import { errorShape } from './shapes';

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the registry's zod schemas with
 * zod's own JSON Schema output (draft 2020-12, OpenAPI 3.1's dialect). Request schemas are the
 * objects the routes validate with; `io: 'input'` describes what a caller may send (defaults
 * optional, coerced query numbers as numbers) and leaves plain objects open, as zod's parse is.
 */

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema => {
	const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
		io: 'input',
		unrepresentable: 'any',
		reused: 'inline',
		// `format: date-time` says it; zod's long calendar regex beside it only bloats the document.
		override: ({ jsonSchema }) => {
			if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
		}
	}) as JsonSchema;
	return rest;
};

const SECURITY_SCHEMES: Record<Credential, JsonSchema> = {
	session: {
		type: 'apiKey',
		in: 'cookie',
		name: SESSION_COOKIE,
		description: 'The session cookie POST /api/auth/signup and /api/auth/login set.'
	},
	audience: {
		type: 'apiKey',
		in: 'cookie',
		name: AUDIENCE_COOKIE,
		description: 'The audience cookie POST /api/join/{code} sets: one network, no account.'
	},
	kiosk: {
		type: 'apiKey',
		in: 'query',
		name: 'kiosk',
		description: 'A kiosk screen’s token (from its display URL), for the live feed on display machines.'
	}
};

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/** `/api/runs/{id}/stop` POST → `postRunsIdStop`: stable, unique, readable. */
export function operationId(op: Pick<Operation, 'method' | 'path'>): string {
	const words = op.path
		.replace(/^\/api\//, '')
		.split(/[/.{}-]+/)
		.filter(Boolean);
	return op.method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function answer(a: Answer): JsonSchema {
	if ('json' in a) return { description: a.description, content: { 'application/json': { schema: toSchema(a.json) } } };
	const headers = a.download
		? { 'Content-Disposition': { description: 'attachment; filename="…"', schema: { type: 'string' } } }
		: undefined;
	return { description: a.description, ...(headers ? { headers } : {}), content: { [a.media]: { schema: { type: 'string' } } } };
}

function parameters(op: Operation): JsonSchema[] {
	const path = Object.entries(op.params ?? {}).map(([name, p]) => ({
		name,
		in: 'path',
		required: true,
		description: p.description,
		schema: p.schema ? toSchema(p.schema) : { type: 'string' }
	}));
	const query = op.query
		? Object.entries(toSchema(op.query).properties as Record<string, JsonSchema>).map(([name, schema]) => ({
				name,
				in: 'query',
				required: ((toSchema(op.query!).required as string[] | undefined) ?? []).includes(name),
				schema
			}))
		: [];
	return [...path, ...query];
}

function operation(op: Operation, tag: string): JsonSchema {
	const responses: Record<string, unknown> = {};
	for (const [status, a] of Object.entries(op.responses)) responses[status] = answer(a);
	for (const [status, description] of Object.entries(op.errors ?? {})) {
		responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
	}
	responses['4XX'] = ERROR_RESPONSE;
	responses['5XX'] = ERROR_RESPONSE;
	const body = op.body
		? { required: !op.bodyOptional, content: { 'application/json': { schema: toSchema(op.body) } } }
		: op.upload
			? { required: true, content: Object.fromEntries(Object.entries(op.upload).map(([media, description]) => [media, { schema: { type: 'string', contentMediaType: media, description } }])) }
			: undefined;
	const params = parameters(op);
	return {
		operationId: operationId(op),
		summary: op.summary,
		description: `Who may call it: ${op.who}`,
		tags: [tag],
		...(params.length ? { parameters: params } : {}),
		...(body ? { requestBody: body } : {}),
		responses,
		// Empty: anyone. Otherwise any one of the credentials will do.
		security: op.credentials.length ? op.credentials.map((c) => ({ [c]: [] })) : [{}]
	};
}

export function buildOpenApiDocument(version: string = pkg.version): JsonSchema {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const area of API_AREAS) {
		for (const op of area.operations) {
			paths[op.path] ??= {};
			paths[op.path][op.method.toLowerCase()] = operation(op, area.name);
		}
	}
	return {
		openapi: '3.1.0',
		jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
		info: {
			title: 'PANIC JSON API',
			version,
			description:
				'JSON in and out under /api. Errors are `{ "error": "...", "details"?: ... }` with a 4xx/5xx status; ' +
				'any /api path no route claims answers 404 in that shape, and a method a path does not list answers 405. Requests that change state must come from the ' +
				'same origin (an Origin or Sec-Fetch-Site header); scripts send Origin set to the server.'
		},
		tags: API_AREAS.map((a) => ({ name: a.name, description: a.description })),
		paths,
		components: {
			schemas: { Error: toSchema(errorShape) },
			responses: {
				Error: { description: 'An error: what went wrong, for people.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
			},
			securitySchemes: SECURITY_SCHEMES
		}
	};
}

let cached: { text: string; etag: string } | undefined;

/** The document as JSON text with its ETag, built once per process (the schemas never change at run time). */
export function openApiJson(): { text: string; etag: string } {
	if (!cached) {
		const text = JSON.stringify(buildOpenApiDocument());
		cached = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"` };
	}
	return cached;
}
