import { buildOpenApiDocument } from './document';
import { shapeText } from './shape-text';

/** The API description as the /docs/api page lists it: read from the OpenAPI document itself. */

export interface ParamView {
	name: string;
	in: string;
	required: boolean;
	shape: string;
	description?: string;
}

export interface OperationView {
	id: string;
	method: string;
	path: string;
	summary: string;
	who: string;
	credentials: string[];
	params: ParamView[];
	body?: { media: string; shape: string; required: boolean }[];
	responses: { status: string; description: string; media?: string; shape?: string }[];
}

export interface AreaView {
	name: string;
	description: string;
	operations: OperationView[];
}

const CREDENTIAL_WORDS: Record<string, string> = { session: 'session cookie', audience: 'audience cookie', kiosk: 'kiosk token' };

type Doc = Record<string, any>;

export function apiPageView(): { title: string; version: string; description: string; areas: AreaView[] } {
	const doc = buildOpenApiDocument() as Doc;
	const areas: AreaView[] = doc.tags.map((t: Doc) => ({ name: t.name, description: t.description, operations: [] }));
	for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
		for (const [method, op] of Object.entries(item as Record<string, Doc>)) {
			const area = areas.find((a) => a.name === op.tags[0])!;
			const credentials = (op.security as Doc[]).flatMap((s) => Object.keys(s)).map((c) => CREDENTIAL_WORDS[c] ?? c);
			area.operations.push({
				id: op.operationId,
				method: method.toUpperCase(),
				path,
				summary: op.summary,
				who: String(op.description).replace(/^Who may call it: /, ''),
				credentials,
				params: (op.parameters ?? []).map((p: Doc) => ({ name: p.name, in: p.in, required: !!p.required, shape: shapeText(p.schema), description: p.description })),
				body: op.requestBody
					? Object.entries(op.requestBody.content as Record<string, Doc>).map(([media, c]) => ({ media, shape: c.schema.contentMediaType ? `${media} file` : shapeText(c.schema), required: op.requestBody.required }))
					: undefined,
				responses: Object.entries(op.responses as Record<string, Doc>)
					.filter(([status]) => !status.endsWith('XX'))
					.map(([status, r]) => {
						const [media, c] = Object.entries((r.content ?? {}) as Record<string, Doc>)[0] ?? [];
						const schema = c?.schema;
						const shape = !schema ? undefined : schema.$ref ? '{ error: string, details?: any }' : media === 'application/json' ? shapeText(schema) : undefined;
						return { status, description: r.description, media, shape };
					})
			});
		}
	}
	return { title: doc.info.title, version: doc.info.version, description: doc.info.description, areas };
}
