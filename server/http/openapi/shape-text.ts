/**
 * A JSON Schema as a short TypeScript-like shape, for people reading the API page:
 * `{ id: string, name?: string | null, tags: string[] }`. Constraints (lengths, ranges,
 * patterns) are left to /api/openapi.json; this says what goes where.
 */

type Schema = Record<string, any> | boolean;

const INDENT = '  ';

export function shapeText(schema: Schema, depth = 0): string {
	if (schema === true || schema === undefined) return 'any';
	if (schema === false) return 'never';
	if (schema.const !== undefined) return JSON.stringify(schema.const);
	if (Array.isArray(schema.enum)) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
	for (const key of ['anyOf', 'oneOf'] as const) {
		if (Array.isArray(schema[key])) return unique(schema[key].map((s: Schema) => shapeText(s, depth))).join(' | ');
	}
	if (Array.isArray(schema.allOf)) return schema.allOf.map((s: Schema) => shapeText(s, depth)).join(' & ');
	const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	if (types.length > 1) return types.map((t) => shapeText({ ...schema, type: t }, depth)).join(' | ');
	switch (types[0]) {
		case 'object':
			return objectText(schema, depth);
		case 'array':
			return arrayText(schema, depth);
		case 'integer':
			return 'integer';
		case 'string':
			return schema.format === 'date-time' ? 'string (date-time)' : 'string';
		case 'number':
		case 'boolean':
		case 'null':
			return types[0];
		default:
			return schema.properties ? objectText(schema, depth) : 'any';
	}
}

function arrayText(schema: Record<string, any>, depth: number): string {
	const item = shapeText(schema.items ?? true, depth);
	return /[|&]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
}

function objectText(schema: Record<string, any>, depth: number): string {
	const properties: Record<string, Schema> = schema.properties ?? {};
	const required = new Set<string>(schema.required ?? []);
	const pad = INDENT.repeat(depth + 1);
	const lines = Object.entries(properties).map(([name, s]) => `${pad}${name}${required.has(name) ? '' : '?'}: ${shapeText(s, depth + 1)}`);
	const extra = schema.additionalProperties;
	if (extra && typeof extra === 'object' && Object.keys(extra).length) lines.push(`${pad}[key: string]: ${shapeText(extra, depth + 1)}`);
	else if (extra !== false && lines.length === 0) return '{ [key: string]: any }';
	else if (extra !== false) lines.push(`${pad}…`);
	return lines.length ? `{\n${lines.join(',\n')}\n${INDENT.repeat(depth)}}` : '{}';
}

const unique = (items: string[]) => [...new Set(items)];
