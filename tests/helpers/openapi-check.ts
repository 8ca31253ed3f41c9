/**
 * Checks a document against the rules of OpenAPI 3.1 that matter for PANIC's description,
 * without a validator package: the required fields of each object (OpenAPI 3.1.0 §4.8),
 * path templating (every `{name}` declared as a required path parameter, and only those),
 * unique operationIds, declared security schemes and tags, `$ref`s that resolve, response
 * keys, and schemas that are JSON Schema draft 2020-12 (no 3.0-only `nullable`, known types).
 * Answers a list of problems, each naming where it is; empty when the document passes.
 */

type Json = any;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_KEYS = new Set([...HTTP_METHODS, '$ref', 'summary', 'description', 'servers', 'parameters']);
const PARAMETER_IN = ['query', 'header', 'path', 'cookie'];
const RESPONSE_KEY = /^(?:[1-5](?:\d\d|XX)|default)$/;
const JSON_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string', 'integer'];
const SCHEMA_ARRAYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
const SCHEMA_ONE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems'];
const OPENAPI_30_ONLY = ['nullable', 'x-nullable'];

export function openApiProblems(doc: Json): string[] {
	const problems: string[] = [];
	const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);
	const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

	if (typeof doc?.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problem('openapi', 'must be 3.1.x');
	if (!isObject(doc.info) || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') problem('info', 'title and version are required strings');
	if (!isObject(doc.paths) && !isObject(doc.components) && !isObject(doc.webhooks)) problem('document', 'needs paths, components or webhooks');
	if (doc.jsonSchemaDialect !== undefined && typeof doc.jsonSchemaDialect !== 'string') problem('jsonSchemaDialect', 'must be a URI');

	// $refs: every one must point at something in this document.
	const resolve = (ref: string): Json => {
		if (!ref.startsWith('#/')) return undefined;
		return ref
			.slice(2)
			.split('/')
			.map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
			.reduce((node: Json, key) => (isObject(node) ? node[key] : undefined), doc);
	};
	const walkRefs = (node: Json, where: string) => {
		if (Array.isArray(node)) node.forEach((n, i) => walkRefs(n, `${where}[${i}]`));
		else if (isObject(node)) {
			if (typeof node.$ref === 'string' && resolve(node.$ref) === undefined) problem(where, `$ref ${node.$ref} does not resolve`);
			for (const [k, v] of Object.entries(node)) walkRefs(v, `${where}.${k}`);
		}
	};
	walkRefs(doc, '#');

	const schemes = isObject(doc.components?.securitySchemes) ? doc.components.securitySchemes : {};
	for (const [name, scheme] of Object.entries(schemes) as [string, Json][]) {
		const where = `components.securitySchemes.${name}`;
		if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(scheme?.type)) problem(where, 'type is not a security scheme type');
		if (scheme?.type === 'apiKey' && (typeof scheme.name !== 'string' || !['query', 'header', 'cookie'].includes(scheme.in))) {
			problem(where, 'apiKey needs name and in (query, header or cookie)');
		}
	}
	const checkSecurity = (security: Json, where: string) => {
		if (security === undefined) return;
		if (!Array.isArray(security)) return problem(where, 'security must be an array');
		for (const requirement of security) {
			if (!isObject(requirement)) problem(where, 'a security requirement must be an object');
			else for (const name of Object.keys(requirement)) if (!(name in schemes)) problem(where, `security scheme "${name}" is not declared`);
		}
	};
	checkSecurity(doc.security, 'security');

	const checkSchema = (schema: Json, where: string) => {
		if (typeof schema === 'boolean') return;
		if (!isObject(schema)) return problem(where, 'a schema must be an object or a boolean');
		for (const key of OPENAPI_30_ONLY) if (key in schema) problem(where, `"${key}" is OpenAPI 3.0; 3.1 says type: [..., "null"]`);
		if ('$schema' in schema && where.includes('.properties.')) problem(where, 'a nested $schema');
		if (schema.type !== undefined) {
			const types = Array.isArray(schema.type) ? schema.type : [schema.type];
			for (const t of types) if (!JSON_TYPES.includes(t)) problem(where, `type "${t}" is not a JSON Schema type`);
		}
		if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((r: unknown) => typeof r === 'string'))) {
			problem(where, 'required must be an array of names');
		}
		if (schema.enum !== undefined && !Array.isArray(schema.enum)) problem(where, 'enum must be an array');
		for (const key of SCHEMA_ARRAYS) {
			if (schema[key] === undefined) continue;
			if (!Array.isArray(schema[key])) problem(where, `${key} must be an array`);
			else schema[key].forEach((s: Json, i: number) => checkSchema(s, `${where}.${key}[${i}]`));
		}
		for (const key of SCHEMA_MAPS) {
			if (schema[key] === undefined) continue;
			if (!isObject(schema[key])) problem(where, `${key} must be an object`);
			else for (const [name, s] of Object.entries(schema[key])) checkSchema(s, `${where}.${key}.${name}`);
		}
		for (const key of SCHEMA_ONE) if (schema[key] !== undefined) checkSchema(schema[key], `${where}.${key}`);
	};
	for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) checkSchema(schema, `components.schemas.${name}`);

	const checkContent = (content: Json, where: string) => {
		if (!isObject(content)) return problem(where, 'content must be a map of media types');
		for (const [media, item] of Object.entries(content) as [string, Json][]) {
			if (!/^[\w.+-]+\/[\w.+*-]+$/.test(media)) problem(where, `"${media}" is not a media type`);
			if (!isObject(item)) problem(`${where}.${media}`, 'a media type object is required');
			else if (item.schema !== undefined) checkSchema(item.schema, `${where}.${media}.schema`);
		}
	};
	const checkResponse = (response: Json, where: string) => {
		if (isObject(response) && typeof response.$ref === 'string') return;
		if (!isObject(response)) return problem(where, 'a response must be an object');
		if (typeof response.description !== 'string') problem(where, 'description is required');
		if (response.content !== undefined) checkContent(response.content, `${where}.content`);
	};
	for (const [name, response] of Object.entries(doc.components?.responses ?? {})) checkResponse(response, `components.responses.${name}`);

	const tags = new Set((doc.tags ?? []).map((t: Json) => t?.name));
	const operationIds = new Map<string, string>();
	for (const [template, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
		if (!template.startsWith('/')) problem(template, 'a path must start with /');
		if (!isObject(item)) {
			problem(template, 'a path item must be an object');
			continue;
		}
		for (const key of Object.keys(item)) if (!PATH_ITEM_KEYS.has(key) && !key.startsWith('x-')) problem(template, `"${key}" is not a path item field`);
		const templated = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
		for (const method of HTTP_METHODS) {
			const op = item[method];
			if (op === undefined) continue;
			const where = `${template} ${method}`;
			if (!isObject(op)) {
				problem(where, 'an operation must be an object');
				continue;
			}
			if (op.operationId !== undefined) {
				if (operationIds.has(op.operationId)) problem(where, `operationId ${op.operationId} is also ${operationIds.get(op.operationId)}`);
				operationIds.set(op.operationId, where);
			}
			for (const tag of op.tags ?? []) if (!tags.has(tag)) problem(where, `tag "${tag}" is not declared`);
			const params = [...(item.parameters ?? []), ...(op.parameters ?? [])];
			const seen = new Set<string>();
			for (const [i, p] of params.entries()) {
				const at = `${where} parameters[${i}]`;
				if (!isObject(p) || typeof p.name !== 'string' || !PARAMETER_IN.includes(p.in)) {
					problem(at, 'name and in (query, header, path or cookie) are required');
					continue;
				}
				if (seen.has(`${p.in}:${p.name}`)) problem(at, `duplicate ${p.in} parameter "${p.name}"`);
				seen.add(`${p.in}:${p.name}`);
				if (p.in === 'path' && p.required !== true) problem(at, 'a path parameter must be required');
				if (p.in === 'path' && !templated.includes(p.name)) problem(at, `path parameter "${p.name}" is not in the path`);
				if ((p.schema === undefined) === (p.content === undefined)) problem(at, 'needs exactly one of schema and content');
				if (p.schema !== undefined) checkSchema(p.schema, `${at}.schema`);
			}
			for (const name of templated) if (!seen.has(`path:${name}`)) problem(where, `path parameter "${name}" is not declared`);
			if (op.requestBody !== undefined) {
				if (!isObject(op.requestBody)) problem(where, 'requestBody must be an object');
				else checkContent(op.requestBody.content, `${where} requestBody.content`);
			}
			if (!isObject(op.responses) || Object.keys(op.responses).length === 0) problem(where, 'responses are required');
			else {
				for (const [status, response] of Object.entries(op.responses)) {
					if (!RESPONSE_KEY.test(status)) problem(where, `"${status}" is not a response code`);
					checkResponse(response, `${where} responses.${status}`);
				}
			}
			checkSecurity(op.security, where);
		}
	}
	return problems;
}
