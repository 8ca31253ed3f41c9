/**
 * The models the fake Replicate knows out of the box: exactly the ones real Replicate serves
 * as far as PANIC knows (server/platforms/replicate/served.ts), each with an `openapi_schema`
 * built from that table's input and output shapes, its pinned versions, and outputs in the
 * table's shape (a list of image URLs, a token stream, Whisper's object, CLIP's vectors),
 * with tiny but valid PNG and WAV files so adapters decode real bytes.
 */
import { createHash } from 'node:crypto';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import { REPLICATE_SERVED, type ServedInput, type ServedModel, type ServedOutput } from '../../server/platforms/replicate/served';
import { cogSchema } from './fake-replicate-schemas';

/** Serves output files from the fake and returns their URLs. */
export interface FakeFiles {
	png(): string;
	wav(): string;
}

export type FakeRun = (input: Record<string, unknown>, files: FakeFiles) => unknown;

export interface FakeReplicateModel {
	/** Official models run at POST /v1/models/{owner}/{name}/predictions. */
	official?: boolean;
	/** Version ids, newest first (the first is `latest_version`); default `[fakeVersionId(ref)]`. */
	versions?: string[];
	description?: string;
	/** The latest version's schema (also used to reject inputs it does not accept with 422). */
	openapiSchema?: Record<string, unknown>;
	run: FakeRun;
	/** Extra metrics beside `predict_time` (default 1.5 s). */
	metrics?: (input: Record<string, unknown>) => Record<string, number>;
}

/** A deterministic 64-hex version id for a model ref. */
export function fakeVersionId(ref: string): string {
	return createHash('sha256').update(ref).digest('hex');
}

/** A 2×2 PNG, coloured by `seed` so different calls give different bytes. */
export function tinyPng(seed = 0): Uint8Array {
	const rgb = new Uint8Array(12).map((_, i) => (seed * 37 + i * 20) % 256);
	return encodePng({ width: 2, height: 2, rgb });
}

/** A 0.1 s mono WAV at 8 kHz. */
export function tinyWav(): Uint8Array {
	const samples = new Float32Array(800).map((_, i) => Math.sin((i / 8000) * 2 * Math.PI * 440) * 0.5);
	return encodeWav({ sampleRate: 8000, samples });
}

const tokens = (text: string) => text.split(/(?<= )/);

/** A caption-ish sentence about whatever came in (a data URI's size, or the text). */
export function describeInput(value: unknown): string {
	if (typeof value === 'string' && value.startsWith('data:')) {
		const kind = value.slice(5, value.indexOf(';'));
		return `a small picture sent as ${kind}, ${Math.round((value.length * 3) / 4)} bytes`;
	}
	return `something about ${String(value ?? 'nothing').slice(0, 60)}`;
}

function vector(text: string): number[] {
	const hash = createHash('sha256').update(text).digest();
	return Array.from({ length: 768 }, (_, i) => (hash[i % hash.length] - 128) / 128);
}

/** A Cog `Input` property for a served input shape (enums the way Cog writes them: a `$ref`). */
function property(name: string, s: ServedInput): { schema: Record<string, unknown>; enumValues?: readonly (string | number)[] } {
	switch (s.type) {
		case 'file':
			return { schema: { type: 'string', format: 'uri' } };
		case 'enum':
			return { schema: { allOf: [{ $ref: `#/components/schemas/${name}` }], default: s.default }, enumValues: s.values };
		default: {
			const { type, ...rest } = s;
			return { schema: { type, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } };
		}
	}
}

function outputSchema(o: ServedOutput | { type: 'other' }): Record<string, unknown> {
	switch (o.type) {
		case 'file':
			return { type: 'string', format: 'uri' };
		case 'text':
			return { type: 'string' };
		case 'vector':
			return { type: 'array', items: { type: 'number' } };
		case 'list':
			return { type: 'array', items: outputSchema(o.of), ...(o.iterator ? { 'x-cog-array-type': 'iterator', 'x-cog-array-display': 'concatenate' } : {}) };
		case 'object':
			return { type: 'object', properties: Object.fromEntries(Object.entries(o.fields).map(([k, v]) => [k, { title: k, ...outputSchema(v) }])) };
		case 'other':
			return {};
	}
}

/** A served model's `openapi_schema`, shaped as Cog writes it. */
export function servedSchema(model: ServedModel): Record<string, unknown> {
	const properties: Record<string, Record<string, unknown>> = {};
	const enums: Record<string, string[]> = {};
	for (const [name, s] of Object.entries(model.inputs)) {
		const { schema, enumValues } = property(name, s);
		properties[name] = schema;
		if (enumValues) enums[name] = enumValues as string[];
	}
	return cogSchema(properties, [...model.required], outputSchema(model.output), enums);
}

/** An output in a served shape: files from the fake's file host, text about the input. */
function outputOf(o: ServedOutput | { type: 'other' }, about: string, files: FakeFiles): unknown {
	switch (o.type) {
		case 'file':
			return o.media === 'audio' ? files.wav() : o.media === 'image' ? files.png() : null;
		case 'text':
			return `It shows ${about}.`;
		case 'vector':
			return vector(about);
		case 'list':
			return o.iterator && o.of.type === 'text' ? tokens(`It shows ${about}.`) : [outputOf(o.of, about, files)];
		case 'object':
			return Object.fromEntries(Object.entries(o.fields).map(([k, v]) => [k, outputOf(v, about, files)]));
		case 'other':
			return null;
	}
}

/** How particular models answer, where a test reads the answer closely; the rest follow their output shape. */
const RUNS: Record<string, Pick<FakeReplicateModel, 'run' | 'metrics'>> = {
	'lucataco/moondream2': { run: (input) => tokens(`It shows ${describeInput(input.image)}.`) },
	'yorickvp/llava-13b': { run: (input) => tokens(`The image shows ${describeInput(input.image)}.`) },
	'salesforce/blip': { run: (input) => `Caption: ${describeInput(input.image)}` },
	'openai/whisper': {
		run: (input) => ({ segments: [], transcription: ` I heard ${describeInput(input.audio)}.`, translation: null, txt_file: null, srt_file: null, detected_language: 'english' })
	},
	'suno-ai/bark': { run: (_, files) => ({ audio_out: files.wav(), prompt_npz: null }) },
	'meta/meta-llama-3-8b-instruct': {
		run: (input) => tokens(`You said: ${String(input.prompt)}`),
		metrics: (input) => ({ input_token_count: String(input.prompt).split(' ').length, output_token_count: 12 })
	},
	'krthr/clip-embeddings': { run: (input) => ({ embedding: vector(String(input.image ?? input.text)) }) },
	'andreasjansson/clip-features': { run: (input) => String(input.inputs).split('\n').map((text) => ({ input: text, embedding: vector(text) })) }
};

/** A fake model for a served one: its schema, versions and official flag from the table. */
export function fakeFromServed(model: ServedModel): FakeReplicateModel {
	const primary = Object.entries(model.inputs).find(([, s]) => s.type === 'file')?.[0] ?? 'prompt';
	return {
		official: model.official,
		...(model.versions ? { versions: [...model.versions] } : {}),
		openapiSchema: servedSchema(model),
		run: RUNS[model.ref]?.run ?? ((input, files) => outputOf(model.output, describeInput(input[primary] ?? input.prompt ?? input.text), files)),
		...(RUNS[model.ref]?.metrics ? { metrics: RUNS[model.ref].metrics } : {})
	};
}

for (const ref of Object.keys(RUNS)) if (!REPLICATE_SERVED.some((m) => m.ref === ref)) throw new Error(`fake Replicate: ${ref} is not in served.ts`);

export const DEFAULT_FAKE_MODELS: Record<string, FakeReplicateModel> = Object.fromEntries(REPLICATE_SERVED.map((m) => [m.ref, fakeFromServed(m)]));
