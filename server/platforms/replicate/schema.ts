import { z } from 'zod';
import { createReplicateClient, providerHttpStatus, replayFirstAttempt, type ProviderConfig } from '../clients';
import { platformErrorFrom } from '../hosted/errors';
import { acceptsValue } from '../params';
import { PlatformError } from '../platform';
import type { Modality, ParamSpec } from '../../shared/platforms/types';
import { MODEL_REF, VERSION_ID, type OutputShape, type ReplicateModelInfo } from './spec';

/**
 * "Any Replicate model": every Cog model publishes an OpenAPI schema of its `Input` and
 * `Output`. From it PANIC proposes which input field takes the payload and what comes out;
 * a person confirms the proposal before the model joins their palette, so the guesses here
 * only need to be right for the common shapes (prompt in, file out; image in, tokens out).
 */

export interface ProposedMapping {
	inputField: string;
	input: Modality;
	output: Modality;
	outputShape: OutputShape;
	/** When the output is an object: the field to keep. */
	outputField?: string;
	/** Values for other required inputs PANIC can fill (a prompt for an image model). */
	defaults: Record<string, unknown>;
}

export type MappingProposal = { ok: true; mapping: ProposedMapping } | { ok: false; reason: string };

interface JsonSchema {
	type?: string;
	format?: string;
	title?: string;
	description?: string;
	items?: JsonSchema;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	allOf?: JsonSchema[];
	$ref?: string;
	enum?: unknown[];
	default?: unknown;
	minimum?: number;
	maximum?: number;
	maxLength?: number;
	'x-order'?: number;
	'x-cog-array-type'?: string;
}

const TEXT_FIELDS = ['prompt', 'text', 'input', 'question'];
const IMAGE_FIELDS = ['image', 'img', 'input_image'];
const AUDIO_FIELDS = ['audio', 'audio_file', 'speech'];
/** Output object fields worth keeping, best first. */
const OUTPUT_FIELDS = ['output', 'audio_out', 'audio', 'image', 'transcription', 'text', 'caption', 'answer'];

const VIDEO_HINT = /video|mp4|webm|mov\b/i;
const AUDIO_HINT = /audio|wav|mp3|flac|ogg|sound|music|speech|voice|song/i;
const IMAGE_HINT = /image|png|jpe?g|webp|picture|photo/i;

/**
 * Proposes how PANIC calls a model from its version's `openapi_schema`. `description` (the
 * model's own) is a last hint for telling audio files from images.
 */
export function proposeMapping(openapiSchema: unknown, description = ''): MappingProposal {
	const schemas = (openapiSchema as { components?: { schemas?: Record<string, JsonSchema> } } | null)?.components?.schemas;
	if (!schemas?.Input?.properties) return { ok: false, reason: 'Its schema describes no inputs.' };
	if (!schemas.Output) return { ok: false, reason: 'Its schema describes no output.' };
	const resolve = (s: JsonSchema | undefined): JsonSchema => {
		if (!s) return {};
		const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
		const target = ref?.startsWith('#/components/schemas/') ? schemas[ref.slice('#/components/schemas/'.length)] : undefined;
		return target ? { ...resolve(target), ...s, $ref: undefined, allOf: undefined } : s;
	};
	const properties = Object.fromEntries(Object.entries(schemas.Input.properties).map(([name, s]) => [name, resolve(s)]));
	const required = new Set(schemas.Input.required ?? []);

	const input = chooseInput(properties, required);
	if (!input) return { ok: false, reason: 'None of its inputs takes a prompt, an image or an audio file.' };
	const defaults: Record<string, unknown> = {};
	for (const name of required) {
		const s = properties[name];
		if (name === input.field || s?.default !== undefined) continue;
		if (TEXT_FIELDS.includes(name) && input.modality !== 'text') defaults[name] = `Describe this ${input.modality === 'image' ? 'image' : 'sound'}.`;
		else if (s?.enum?.length) defaults[name] = s.enum[0];
		else return { ok: false, reason: `It also requires "${name}", which PANIC cannot fill.` };
	}

	const output = chooseOutput(resolve(schemas.Output), resolve);
	if ('reason' in output) return { ok: false, reason: output.reason };
	let modality: Modality = 'text';
	if (output.shape === 'file') {
		const format = properties.output_format?.enum?.join(' ') ?? '';
		const hinted = fileModality(`${output.field ?? ''} ${output.schema.title ?? ''} ${output.schema.description ?? ''}`) ?? fileModality(format) ?? fileModality(description);
		if (hinted === 'video') return { ok: false, reason: 'It makes video, which PANIC cannot use.' };
		modality = hinted ?? 'image';
	}
	return {
		ok: true,
		mapping: { inputField: input.field, input: input.modality, output: modality, outputShape: output.shape, outputField: output.field, defaults }
	};
}

/** Most settings a user-added model's form offers (Cog models rarely have more than 20). */
const MAX_PARAMS = 40;
/** Longest text setting when the schema sets no `maxLength`. */
const TEXT_MAX_LENGTH = 4000;

/**
 * The settings form of a model added by name, from its schema's Input properties: an enum of
 * strings is a choice, a bounded integer or number a number, a boolean a boolean, a string
 * text. Files (`format: uri`), unbounded numbers (a form needs a range) and the payload's own
 * field are left out; a schema default becomes the setting's default when it fits.
 */
export function paramsFromSchema(openapiSchema: unknown, payloadField: string): ParamSpec[] {
	const schemas = (openapiSchema as { components?: { schemas?: Record<string, JsonSchema> } } | null)?.components?.schemas;
	const properties = schemas?.Input?.properties;
	if (!properties) return [];
	const resolve = (s: JsonSchema): JsonSchema => {
		const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
		const target = ref?.startsWith('#/components/schemas/') ? schemas[ref.slice('#/components/schemas/'.length)] : undefined;
		return target ? { ...target, ...s, $ref: undefined, allOf: undefined } : s;
	};
	const specs: ParamSpec[] = [];
	const ordered = Object.entries(properties).sort(([, a], [, b]) => (a['x-order'] ?? Infinity) - (b['x-order'] ?? Infinity));
	for (const [key, raw] of ordered) {
		if (key === payloadField || !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(key)) continue;
		const s = resolve(raw);
		const spec = paramOf(key, s);
		if (!spec) continue;
		if (s.default !== undefined && s.default !== null && acceptsValue(spec, s.default)) (spec as { default?: unknown }).default = s.default;
		specs.push(spec);
		if (specs.length === MAX_PARAMS) break;
	}
	return specs;
}

function paramOf(key: string, s: JsonSchema): ParamSpec | undefined {
	const label = (s.title ?? key).slice(0, 100);
	const help = s.description ? { help: s.description.slice(0, 300) } : {};
	if (s.enum) {
		const options = s.enum.filter((v): v is string => typeof v === 'string' && v.length <= 200);
		return options.length > 0 && options.length === s.enum.length ? { key, label, ...help, kind: 'choice', options: options.slice(0, 100) } : undefined;
	}
	switch (s.type) {
		case 'boolean':
			return { key, label, ...help, kind: 'boolean' };
		case 'integer':
		case 'number':
			if (typeof s.minimum !== 'number' || typeof s.maximum !== 'number' || !(s.minimum <= s.maximum)) return undefined;
			return { key, label, ...help, kind: 'number', min: s.minimum, max: s.maximum, ...(s.type === 'integer' ? { integer: true } : {}) };
		case 'string':
			if (s.format === 'uri') return undefined;
			return { key, label, ...help, kind: 'text', maxLength: Math.min(s.maxLength ?? TEXT_MAX_LENGTH, TEXT_MAX_LENGTH), ...(/prompt/i.test(key) ? { multiline: true } : {}) };
		default:
			return undefined;
	}
}

function isUri(s: JsonSchema): boolean {
	return s.type === 'string' && s.format === 'uri';
}

function chooseInput(properties: Record<string, JsonSchema>, required: Set<string>): { field: string; modality: Modality } | undefined {
	const find = (names: string[], fits: (s: JsonSchema) => boolean) => names.find((n) => properties[n] && fits(properties[n]));
	const image = find(IMAGE_FIELDS, isUri);
	const audio = find(AUDIO_FIELDS, isUri);
	const text = find(TEXT_FIELDS, (s) => s.type === 'string' && s.format !== 'uri');
	// Files under other names (`picture`, `source_audio`): their name, title or description says which.
	const hinted = Object.entries(properties)
		.filter(([name, s]) => isUri(s) && name !== image && name !== audio)
		.sort(([, a], [, b]) => (a['x-order'] ?? Infinity) - (b['x-order'] ?? Infinity))
		.map(([name, s]) => ({ field: name, modality: fileModality(`${name} ${s.title ?? ''} ${s.description ?? ''}`) }))
		.filter((c): c is { field: string; modality: 'image' | 'audio' } => c.modality === 'image' || c.modality === 'audio');
	// A required file is what the model is about (a captioner needs its image); otherwise a prompt.
	if (image && required.has(image)) return { field: image, modality: 'image' };
	if (audio && required.has(audio)) return { field: audio, modality: 'audio' };
	const requiredHinted = hinted.find((c) => required.has(c.field));
	if (requiredHinted) return requiredHinted;
	if (text) return { field: text, modality: 'text' };
	if (image) return { field: image, modality: 'image' };
	if (audio) return { field: audio, modality: 'audio' };
	return hinted[0];
}

type OutputChoice = { shape: OutputShape; field?: string; schema: JsonSchema } | { reason: string };

function chooseOutput(output: JsonSchema, resolve: (s: JsonSchema | undefined) => JsonSchema): OutputChoice {
	const shape = shapeOf(output);
	if (shape) return { shape, schema: output };
	if (output.type === 'object' && output.properties) {
		for (const field of OUTPUT_FIELDS) {
			const s = resolve(output.properties[field]);
			const fieldShape = output.properties[field] && shapeOf(s);
			if (fieldShape) return { shape: fieldShape, field, schema: s };
		}
		return { reason: 'PANIC could not tell which of its output fields to keep.' };
	}
	return { reason: 'Its output is neither text nor a file.' };
}

function shapeOf(s: JsonSchema): OutputShape | undefined {
	if (isUri(s) || (s.type === 'array' && s.items && isUri(s.items))) return 'file';
	if (s.type === 'string') return 'text';
	if (s.type === 'array' && s.items?.type === 'string' && s['x-cog-array-type'] === 'iterator') return 'text';
	return undefined;
}

function fileModality(hints: string): Modality | 'video' | undefined {
	if (VIDEO_HINT.test(hints)) return 'video';
	if (AUDIO_HINT.test(hints)) return 'audio';
	if (IMAGE_HINT.test(hints)) return 'image';
	return undefined;
}

const versionSchema = z.object({ id: z.string(), openapi_schema: z.unknown().optional() });
const modelSchema = z.object({
	owner: z.string(),
	name: z.string(),
	url: z.string().nullish(),
	description: z.string().nullish(),
	latest_version: versionSchema.nullish()
});

const REF = new RegExp(`^(${MODEL_REF.source.slice(1, -1)})(?::(${VERSION_ID.source.slice(1, -1)}))?$`);

/**
 * Looks a model up on Replicate (`owner/name` or `owner/name:version`) and proposes a
 * catalogue entry for it, or throws an `invalid_input` PlatformError saying why it cannot.
 */
export async function describeReplicateModel(
	key: string,
	config: ProviderConfig,
	ref: string,
	signal: AbortSignal,
	options: { fetch?: typeof fetch } = {}
): Promise<ReplicateModelInfo> {
	const match = REF.exec(ref.trim());
	if (!match) {
		throw new PlatformError('That is not a Replicate model: write owner/name, or owner/name:version with the 64-digit version id.', {
			kind: 'invalid_input'
		});
	}
	const [, modelRef, version] = match;
	const [owner, name] = modelRef.split('/');
	const client = () => createReplicateClient(key, config, { fetch: replayFirstAttempt(options.fetch ?? globalThis.fetch) });
	const fetchJson = async <T>(schema: z.ZodType<T>, send: () => Promise<unknown>, missing: string): Promise<T> => {
		let body: unknown;
		try {
			body = await send();
		} catch (error) {
			if (signal.aborted) throw signal.reason;
			if (providerHttpStatus(error) === 404) throw new PlatformError(missing, { kind: 'invalid_input', status: 404 });
			throw platformErrorFrom('replicate', error);
		}
		const parsed = schema.safeParse(body);
		if (!parsed.success) throw new PlatformError('Replicate gave an answer PANIC could not understand.', { kind: 'invalid_output' });
		return parsed.data;
	};

	const model = await fetchJson(modelSchema, () => client().models.get(owner, name, { signal }), `There is no such model on Replicate: ${modelRef}.`);
	const chosen = version
		? await fetchJson(versionSchema, () => client().models.versions.get(owner, name, version, { signal }), `${modelRef} has no version ${version.slice(0, 12)}….`)
		: model.latest_version;
	if (!chosen?.openapi_schema) {
		throw new PlatformError(`${modelRef} publishes no input/output schema on Replicate, so PANIC cannot tell how to call it.`, { kind: 'invalid_input' });
	}
	const proposal = proposeMapping(chosen.openapi_schema, model.description ?? '');
	if (!proposal.ok) throw new PlatformError(`PANIC cannot run ${modelRef}: ${proposal.reason}`, { kind: 'invalid_input' });
	const { mapping } = proposal;
	return {
		id: `replicate/${modelRef}${version ? `:${version}` : ''}`,
		platform: 'replicate',
		name: model.name,
		input: mapping.input,
		output: mapping.output,
		description: model.description ?? '',
		homepage: model.url?.startsWith('https://replicate.com/') ? model.url : `https://replicate.com/${modelRef}`,
		defaults: mapping.defaults,
		params: paramsFromSchema(chosen.openapi_schema, mapping.inputField),
		pricing: 'billed by Replicate per second of compute',
		replicate: {
			model: modelRef,
			version,
			official: false,
			inputField: mapping.inputField,
			input: {},
			outputShape: mapping.outputShape,
			outputField: mapping.outputField
		}
	};
}
