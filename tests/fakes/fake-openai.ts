/**
 * A fake of OpenAI's HTTP API (https://api.openai.com/v1), for tests.
 *
 * Point the official client at it with `createOpenAIClient(key, { openaiBaseUrl: fake.baseUrl })`.
 * Errors use OpenAI's body `{ error: { message, type, param, code } }`; like the
 * real API, the 401 message echoes a redacted form of the key, which is why
 * PANIC never shows provider error text to users verbatim.
 *
 * Routes, with the real paths, content types and response shapes: GET /v1/models,
 * POST /v1/chat/completions, /v1/images/generations, /v1/images/edits (multipart),
 * /v1/audio/transcriptions (multipart), /v1/audio/speech (binary WAV back) and
 * /v1/embeddings. Answers are derived deterministically from the request, so tests can
 * assert on them. `calls` holds every parsed POST body (multipart files as bytes);
 * `refuseNext` and `malformNext` queue a safety refusal or an unusable 200 answer.
 *
 * Like the real API, it serves only the models OpenAI serves (the table in
 * server/platforms/openai/served.ts): GET /v1/models lists them with their `shutdown_date`,
 * a retired or unknown model answers 404 `model_not_found` on every route, a model on a
 * route it is not served on answers 404, and a parameter the model does not take (or a value
 * it does not take) answers 400. `removeModel` takes one off the list (and answers 404 for it
 * from then on), `setShutdownDate` announces a shutdown, and `quotaExhausted` makes every
 * POST answer OpenAI's 429 `insufficient_quota`, as an account without credit does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { encodePng } from '../../server/platforms/local/png';
import { OPENAI_SERVED, retiredModel, unknownModelMessage, type ServedModel } from '../../server/platforms/openai/served';
import { decodeWav, encodeWav } from '../../server/platforms/local/wav';
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';

export interface FakeOpenAIModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
	/** YYYY-MM-DD when announced, else null (as GET /v1/models shows it). */
	shutdown_date: string | null;
}

/** A file in a multipart upload, bytes intact. */
export interface FakeOpenAIFile {
	name: string;
	type: string;
	bytes: Uint8Array;
}

/** One POST as the fake parsed it: a JSON body, or multipart fields and files. */
export interface FakeOpenAICall {
	path: string;
	json?: Record<string, unknown>;
	fields?: Record<string, string>;
	files?: Record<string, FakeOpenAIFile>;
}

/**
 * A safety refusal to answer with: `chat` sets `message.refusal`, `content-filter` ends
 * the chat with `finish_reason: 'content_filter'`, `image` is the Images API's 400
 * `content_policy_violation` (generations and edits).
 */
export type FakeOpenAIRefusal = 'chat' | 'content-filter' | 'image';

export interface FakeOpenAIOptions {
	/** API keys the fake accepts. */
	keys: string[];
	/**
	 * The served models this fake lists and answers (default: every model in OPENAI_SERVED).
	 * Only ids from that table: the fake never serves what the real API does not.
	 */
	models?: string[];
}

/** OpenAI's answer for an account without credit (429, not retryable). */
export const INSUFFICIENT_QUOTA = {
	message:
		'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
	type: 'insufficient_quota',
	param: null,
	code: 'insufficient_quota'
} as const;

const ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
	401: {
		type: 'invalid_request_error',
		code: 'invalid_api_key',
		message: 'Incorrect API key provided.'
	},
	403: {
		type: 'invalid_request_error',
		code: 'unsupported_country_region_territory',
		message: 'Country, region, or territory not supported'
	},
	404: { type: 'invalid_request_error', code: 'unknown_url', message: 'Unknown request URL.' },
	429: {
		type: 'requests',
		code: 'rate_limit_exceeded',
		message: 'Rate limit reached for requests. Please try again in 1s.'
	},
	500: {
		type: 'server_error',
		code: null,
		message: 'The server had an error while processing your request. Sorry about that!'
	}
};

/** OpenAI shows the first few and last four characters of a wrong key. */
function redact(key: string): string {
	return key.length <= 8 ? '****' : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

export class FakeOpenAI extends FakeHttpServer {
	readonly keys: Set<string>;
	/** Parsed bodies of every POST received, in order. */
	readonly calls: FakeOpenAICall[] = [];
	/** While true, every POST answers 429 `insufficient_quota` (the account has no credit). */
	quotaExhausted = false;
	/** The served models, by id, with the shutdown date the list shows. */
	#served = new Map<string, { spec: ServedModel; shutdownDate: string | null }>();
	#refusals: FakeOpenAIRefusal[] = [];
	#malformed = 0;

	constructor(options: FakeOpenAIOptions) {
		super();
		this.keys = new Set(options.keys);
		for (const id of options.models ?? OPENAI_SERVED.map((m) => m.id)) {
			const spec = OPENAI_SERVED.find((m) => m.id === id);
			if (!spec) throw new Error(`The fake OpenAI serves only models the real one does (served.ts); ${id} is not one.`);
			this.#served.set(id, { spec, shutdownDate: spec.shutdownDate ?? null });
		}

		this.route('GET', '/v1/models', (ctx) => this.#authenticate(ctx) ?? this.#ok({ object: 'list', data: this.models }));
		this.route('GET', '/v1/models/:model', (ctx) => {
			const denied = this.#authenticate(ctx);
			if (denied) return denied;
			const model = this.models.find((m) => m.id === ctx.params.model);
			return model ? this.#ok(model) : modelNotFound(ctx.params.model);
		});
		this.#post('/v1/chat/completions', (call) => this.#chat(call.json ?? {}));
		this.#post('/v1/images/generations', (call) => this.#imageGeneration(call.json ?? {}));
		this.#post('/v1/images/edits', (call) => this.#imageEdit(call));
		this.#post('/v1/audio/transcriptions', (call) => this.#transcription(call));
		this.#post('/v1/audio/speech', (call) => this.#speech(call.json ?? {}));
		this.#post('/v1/embeddings', (call) => this.#embeddings(call.json ?? {}));
	}

	/** The most recent parsed POST to `path` (e.g. `'/v1/chat/completions'`). */
	lastCall(path: string): FakeOpenAICall | undefined {
		return this.calls.findLast((c) => c.path === path);
	}

	/** The next request that can be refused that way is (see `FakeOpenAIRefusal`). */
	refuseNext(kind: FakeOpenAIRefusal): void {
		this.#refusals.push(kind);
	}

	/** The next POST answers 200 with a body of the right type but nothing usable in it. */
	malformNext(): void {
		this.#malformed += 1;
	}

	/** GET /v1/models, as the list shows it now. */
	get models(): FakeOpenAIModel[] {
		return [...this.#served].map(([id, { shutdownDate }], i) => ({
			id,
			object: 'model' as const,
			created: 1_700_000_000 + i,
			owned_by: id.startsWith('gpt') ? 'system' : 'openai',
			shutdown_date: shutdownDate
		}));
	}

	/** OpenAI stops serving `id`: off the list, and 404 `model_not_found` on every call naming it. */
	removeModel(id: string): void {
		this.#served.delete(id);
	}

	/** OpenAI serves `id` again (it must be in OPENAI_SERVED), with its table shutdown date. */
	restoreModel(id: string): void {
		const spec = OPENAI_SERVED.find((m) => m.id === id);
		if (!spec) throw new Error(`OpenAI does not serve ${id} (not in served.ts).`);
		this.#served.set(id, { spec, shutdownDate: spec.shutdownDate ?? null });
	}

	/** Announces (or, with null, withdraws) a shutdown date for a served model, as the list shows it. */
	setShutdownDate(id: string, date: string | null): void {
		const served = this.#served.get(id);
		if (!served) throw new Error(`The fake OpenAI does not serve ${id}.`);
		served.shutdownDate = date;
	}

	/** What to pass as the client's base URL (the real default is `https://api.openai.com/v1`). */
	get baseUrl(): string {
		return `${this.url}/v1`;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		const known = ERRORS[status] ?? { type: 'server_error', code: null, message: 'Unexpected error.' };
		return {
			status,
			headers: { 'x-request-id': requestId() },
			body: { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } }
		};
	}

	#ok(body: unknown): FakeReply {
		return { status: 200, headers: { 'x-request-id': requestId() }, body };
	}

	/** Registers an authenticated POST route whose body is parsed and recorded first. */
	#post(path: string, answer: (call: FakeOpenAICall) => FakeReply) {
		this.route('POST', path, async (ctx) => {
			const call = await parseCall(ctx);
			this.calls.push(call);
			const denied = this.#authenticate(ctx);
			if (denied) return denied;
			if (this.quotaExhausted) return apiError(429, INSUFFICIENT_QUOTA);
			const refused = this.#refuseModelOrParams(path, call);
			if (refused) return refused;
			if (this.#malformed > 0) {
				this.#malformed -= 1;
				return MALFORMED[path];
			}
			return answer(call);
		});
	}

	/**
	 * What OpenAI answers before doing anything when a call names a model it does not serve
	 * (404 `model_not_found`; a shut-down model's message says it was deprecated), a model on a
	 * route it is not served on, a parameter the model does not take, or a value it does not take.
	 */
	#refuseModelOrParams(path: string, call: FakeOpenAICall): FakeReply | undefined {
		const body: Record<string, unknown> = call.json ?? call.fields ?? {};
		const model = typeof body.model === 'string' ? body.model : '';
		if (!model) return apiError(400, { message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null });
		const served = this.#served.get(model)?.spec;
		if (!served) return modelNotFound(model);
		if (!served.routes.includes(path as ServedModel['routes'][number])) {
			// OpenAI answers e.g. "This is not a chat model and thus not supported in the v1/chat/completions endpoint."
			return apiError(404, { message: `The model \`${model}\` is not supported in the ${path.slice(1)} endpoint.`, type: 'invalid_request_error', param: 'model', code: null });
		}
		for (const key of served.refuses ?? []) {
			if (body[key] !== undefined) {
				return apiError(400, { message: `Unsupported parameter: '${key}' is not supported with this model.`, type: 'invalid_request_error', param: key, code: 'unsupported_parameter' });
			}
		}
		for (const [key, values] of Object.entries(served.accepts ?? {})) {
			const value = body[key];
			if (value !== undefined && !values.includes(String(value))) {
				const supported = values.map((v) => `'${v}'`);
				const list = `${supported.slice(0, -1).join(', ')}, and ${supported.at(-1)}`;
				return apiError(400, { message: `Invalid value: '${String(value)}'. Supported values are: ${list}.`, type: 'invalid_request_error', param: key, code: 'invalid_value' });
			}
		}
		return undefined;
	}

	#takeRefusal(...kinds: FakeOpenAIRefusal[]): FakeOpenAIRefusal | undefined {
		const index = this.#refusals.findIndex((k) => kinds.includes(k));
		return index < 0 ? undefined : this.#refusals.splice(index, 1)[0];
	}

	#chat(body: Record<string, unknown>): FakeReply {
		const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: string; content?: unknown }>) : [];
		const lastUser = messages.findLast((m) => m.role === 'user');
		const refusal = this.#takeRefusal('chat', 'content-filter');
		const content = refusal ? null : `A vivid scene: ${describeContent(lastUser?.content)}`.slice(0, 300);
		const promptTokens = messages.reduce((sum, m) => sum + wordCount(describeContent(m.content)), 0);
		const completionTokens = content ? wordCount(content) : 0;
		return this.#ok({
			id: `chatcmpl-${randomBytes(8).toString('hex')}`,
			object: 'chat.completion',
			created: now(),
			model: body.model,
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content, refusal: refusal === 'chat' ? 'I’m sorry, I can’t help with that.' : null },
					finish_reason: refusal === 'content-filter' ? 'content_filter' : 'stop'
				}
			],
			usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
		});
	}

	#imageGeneration(body: Record<string, unknown>): FakeReply {
		if (this.#takeRefusal('image')) return contentPolicyViolation();
		// Every image model OpenAI still serves is a GPT Image model: base64 out, token usage reported.
		const prompt = String(body.prompt ?? '');
		return this.#ok({ created: now(), data: [{ b64_json: Buffer.from(fakePng(prompt)).toString('base64') }], usage: imageUsage(wordCount(prompt), 0) });
	}

	#imageEdit(call: FakeOpenAICall): FakeReply {
		if (this.#takeRefusal('image')) return contentPolicyViolation();
		const image = call.files?.image ?? call.files?.['image[]'];
		if (!image) return this.errorReply(400, "Missing required parameter: 'image'.");
		const prompt = call.fields?.prompt ?? '';
		const b64 = Buffer.from(fakePng(`${prompt} ${digest(image.bytes)}`)).toString('base64');
		return this.#ok({ created: now(), data: [{ b64_json: b64 }], usage: imageUsage(wordCount(prompt), 65) });
	}

	#transcription(call: FakeOpenAICall): FakeReply {
		const file = call.files?.file;
		if (!file) return this.errorReply(400, "Missing required parameter: 'file'.");
		const text = `Heard ${file.name}, ${file.bytes.byteLength} bytes of ${file.type || 'audio'}.`;
		// Whisper reports the billed duration; gpt-transcribe (billed per minute) is assumed to as well (its usage shape is unconfirmed).
		if (call.fields?.model === 'whisper-1' || call.fields?.model === 'gpt-transcribe') {
			return this.#ok({ text, usage: { type: 'duration', seconds: Math.ceil(durationOf(file.bytes)) } });
		}
		const output = wordCount(text);
		return this.#ok({ text, usage: { type: 'tokens', input_tokens: 50, output_tokens: output, total_tokens: 50 + output } });
	}

	#speech(body: Record<string, unknown>): FakeReply {
		if (body.response_format !== 'wav') return this.errorReply(400, 'This fake only answers response_format "wav".');
		const input = String(body.input ?? '');
		const seconds = Math.max(0.1, input.length * 0.01);
		const frequency = 200 + (createHash('sha256').update(`${body.voice} ${input}`).digest()[0] % 200);
		const samples = new Float32Array(Math.round(SPEECH_RATE * seconds)).map((_, i) => 0.3 * Math.sin((2 * Math.PI * frequency * i) / SPEECH_RATE));
		return { ...this.#ok(encodeWav({ sampleRate: SPEECH_RATE, samples })), headers: { 'content-type': 'audio/wav', 'x-request-id': requestId() } };
	}

	#embeddings(body: Record<string, unknown>): FakeReply {
		const inputs = (Array.isArray(body.input) ? body.input : [body.input]).map(String);
		const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 1536;
		const data = inputs.map((text, index) => {
			const vector = fakeVector(text, dimensions);
			const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
			return { object: 'embedding', index, embedding };
		});
		const tokens = inputs.reduce((sum, text) => sum + wordCount(text), 0);
		return this.#ok({ object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
	}

	/** Returns the 401 reply when the request carries no valid key, else undefined. */
	#authenticate(ctx: RouteContext): FakeReply | undefined {
		if (!ctx.bearer) {
			return this.errorReply(
				401,
				"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
			);
		}
		if (!this.keys.has(ctx.bearer)) {
			return this.errorReply(
				401,
				`Incorrect API key provided: ${redact(ctx.bearer)}. You can find your API key at https://platform.openai.com/account/api-keys.`
			);
		}
		return undefined;
	}
}

export async function startFakeOpenAI(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
	return new FakeOpenAI(options).start();
}

const requestId = () => `req_${randomBytes(16).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;
const digest = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 8);
const SPEECH_RATE = 8000;

/** Reads the JSON or multipart body of a POST, keeping uploaded files' bytes intact. */
async function parseCall(ctx: RouteContext): Promise<FakeOpenAICall> {
	const type = ctx.headers['content-type'] ?? '';
	if (type.startsWith('multipart/form-data')) {
		const form = await new Response(new Uint8Array(ctx.rawBody), { headers: { 'content-type': type } }).formData();
		const fields: Record<string, string> = {};
		const files: Record<string, FakeOpenAIFile> = {};
		for (const [name, value] of form) {
			if (typeof value === 'string') fields[name] = value;
			else files[name] = { name: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) };
		}
		return { path: ctx.path, fields, files };
	}
	return { path: ctx.path, json: ctx.body ? (JSON.parse(ctx.body) as Record<string, unknown>) : {} };
}

/** Chat content as words: text parts as they are, images as their type and size. */
function describeContent(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part: { type?: string; text?: string; image_url?: { url?: string } }) => {
			if (part.type === 'text') return part.text ?? '';
			const url = part.image_url?.url ?? '';
			const inline = /^data:([^;,]+);base64,(.*)$/s.exec(url);
			if (!inline) return `an image at ${url}`;
			const bytes = Buffer.from(inline[2], 'base64');
			return `an image (${inline[1]}, ${bytes.byteLength} bytes, ${digest(bytes)})`;
		})
		.join(' ');
}

/** A small PNG whose colour follows the seed. */
function fakePng(seed: string): Uint8Array {
	const [r, g, b] = createHash('sha256').update(seed).digest();
	const rgb = new Uint8Array(8 * 8 * 3).map((_, i) => [r, g, b][i % 3]);
	return encodePng({ width: 8, height: 8, rgb });
}

/** Token usage as GPT Image reports it (272 output tokens is a low-quality square image). */
function imageUsage(textTokens: number, imageTokens: number) {
	const input = textTokens + imageTokens;
	return {
		input_tokens: input,
		input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
		output_tokens: 272,
		total_tokens: input + 272
	};
}

/** Seconds of a WAV upload; other formats count as one second. */
function durationOf(bytes: Uint8Array): number {
	try {
		const { samples, sampleRate } = decodeWav(bytes, 'fake-openai');
		return samples.length / sampleRate;
	} catch {
		return 1;
	}
}

/** A deterministic unit vector for a text. */
function fakeVector(text: string, dimensions: number): number[] {
	const seed = createHash('sha256').update(text).digest();
	const raw = Array.from({ length: dimensions }, (_, i) => seed[i % seed.length] / 255 - 0.5 + Math.sin(i + seed[0]) * 0.1);
	const norm = Math.hypot(...raw) || 1;
	return raw.map((x) => x / norm);
}

/** An OpenAI error body with a status. */
function apiError(status: number, error: { message: string; type: string; param: string | null; code: string | null }): FakeReply {
	return { status, headers: { 'x-request-id': requestId() }, body: { error } };
}

/** OpenAI's 404 for a model it does not serve: a shut-down model's message says it was deprecated. */
function modelNotFound(model: string): FakeReply {
	const message = retiredModel(model)?.message ?? unknownModelMessage(model);
	return apiError(404, { message, type: 'invalid_request_error', param: null, code: 'model_not_found' });
}

function contentPolicyViolation(): FakeReply {
	return {
		status: 400,
		headers: { 'x-request-id': requestId() },
		body: {
			error: {
				message:
					'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
				type: 'image_generation_user_error',
				param: null,
				code: 'content_policy_violation'
			}
		}
	};
}

/** 200 answers of the right type with nothing usable in them, per route. */
const MALFORMED: Record<string, FakeReply> = {
	'/v1/chat/completions': { status: 200, body: { id: 'chatcmpl-malformed', object: 'chat.completion', created: 0, model: 'x', choices: [] } },
	'/v1/images/generations': { status: 200, body: { created: 0, data: [{ b64_json: Buffer.from('not an image').toString('base64') }] } },
	'/v1/images/edits': { status: 200, body: { created: 0, data: [] } },
	'/v1/audio/transcriptions': { status: 200, body: { text: '' } },
	'/v1/audio/speech': { status: 200, headers: { 'content-type': 'audio/wav' }, body: new TextEncoder().encode('not audio') },
	'/v1/embeddings': { status: 200, body: { object: 'list', data: [], model: 'x', usage: { prompt_tokens: 0, total_tokens: 0 } } }
};
