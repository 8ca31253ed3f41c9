import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildOpenApiDocument } from '../../server/http/openapi/document';
import { openApiProblems } from '../helpers/openapi-check';

/**
 * The OpenAPI description against the routes on disk: every `+server.ts` under src/routes/api
 * and every method it exports has an operation, and no operation lacks a route. Then the
 * document's structure against OpenAPI 3.1's rules (no validator package: see openapi-check.ts).
 */

const API_DIR = path.resolve('src/routes/api');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
/** The catch-all that answers JSON 404s for paths no route claims: not an operation. */
const FALLBACK_ROUTE = '[...rest]';

function routeFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return routeFiles(full);
		return entry.name === '+server.ts' ? [full] : [];
	});
}

/** `src/routes/api/networks/[id]/runs/+server.ts` → `/api/networks/{id}/runs`. */
function templateOf(file: string): string {
	const segments = path.relative(API_DIR, path.dirname(file)).split(path.sep).filter(Boolean);
	return '/api/' + segments.map((s) => s.replace(/^\[(?:\.\.\.)?(\w+)\]$/, '{$1}')).join('/');
}

function exportedMethods(file: string): string[] {
	const source = fs.readFileSync(file, 'utf8');
	const found = [...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(\w+)/g)].map((m) => m[1]);
	return found.filter((name) => METHODS.includes(name) || name === 'fallback');
}

describe('OpenAPI description of /api', () => {
	const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };

	test('every route and method under src/routes/api has an operation, and every operation a route', () => {
		const files = routeFiles(API_DIR);
		expect(files.length).toBeGreaterThanOrEqual(58);
		const routed = new Set<string>();
		for (const file of files) {
			const methods = exportedMethods(file);
			expect(methods.length, `${file} exports no HTTP method`).toBeGreaterThan(0);
			if (path.relative(API_DIR, path.dirname(file)) === FALLBACK_ROUTE) {
				expect(methods).toEqual(['fallback']);
				continue;
			}
			// A `fallback` elsewhere would answer methods the document cannot list.
			expect(methods, file).not.toContain('fallback');
			for (const method of methods) routed.add(`${method} ${templateOf(file)}`);
		}
		const described = new Set(
			Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((k) => METHODS.includes(k.toUpperCase())).map((m) => `${m.toUpperCase()} ${p}`))
		);
		const missing = [...routed].filter((op) => !described.has(op)).sort();
		const unrouted = [...described].filter((op) => !routed.has(op)).sort();
		expect({ missing, unrouted }).toEqual({ missing: [], unrouted: [] });
	});

	test('is a valid OpenAPI 3.1 document', () => {
		expect(openApiProblems(doc)).toEqual([]);
		expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
	});

	test('the checker finds what is wrong in a broken document', () => {
		const broken = structuredClone(doc) as any;
		const op = broken.paths['/api/runs/{id}'].get;
		op.parameters = op.parameters.filter((p: { in: string }) => p.in !== 'path');
		delete broken.paths['/api/health'].get.responses['200'].description;
		broken.paths['/api/networks'].get.security = [{ nobody: [] }];
		broken.paths['/api/me'].get.responses['200'].content['application/json'].schema.properties.user = { type: 'nothing', nullable: true };
		broken.paths['/api/me'].patch.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/Missing' };
		const problems = openApiProblems(broken).join('\n');
		expect(problems).toMatch(/\/api\/runs\/\{id\} get: path parameter "id" is not declared/);
		expect(problems).toMatch(/\/api\/health get responses\.200: description is required/);
		expect(problems).toMatch(/\/api\/networks get: security scheme "nobody" is not declared/);
		expect(problems).toMatch(/type "nothing"/);
		expect(problems).toMatch(/nullable/);
		expect(problems).toMatch(/\$ref #\/components\/schemas\/Missing does not resolve/);
	});

	test('request bodies are the schemas the routes validate with', async () => {
		// One spot check per kind: a moved inline schema and a domain schema.
		const { promptSchema } = await import('../../server/http/request-schemas');
		const { z } = await import('zod');
		const described = (doc.paths['/api/networks/{id}/prompts'].post as any).requestBody.content['application/json'].schema;
		const { $schema: _, ...direct } = z.toJSONSchema(promptSchema, { io: 'input' }) as Record<string, unknown>;
		expect(described).toEqual(direct);
		const graph = (doc.paths['/api/networks/{id}/graph'].put as any).requestBody.content['application/json'].schema;
		expect(graph.properties.nodes.type).toBe('array');
	});
});
