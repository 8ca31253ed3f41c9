/**
 * A fake of Replicate's HTTP API (https://api.replicate.com/v1), for tests.
 *
 * Point the official client at it with `createReplicateClient(key, { replicateBaseUrl: fake.baseUrl })`.
 * Errors use Replicate's problem-details body `{ title, detail, status }`
 * (content type `application/problem+json`), as the real API sends them.
 *
 * Routes, as documented at https://replicate.com/docs/reference/http:
 *   GET  /v1/account
 *   POST /v1/predictions                        { version, input }
 *   POST /v1/models/:owner/:name/predictions    { input }  (official models only)
 *   GET  /v1/predictions/:id
 *   POST /v1/predictions/:id/cancel
 *   GET  /v1/models/:owner/:name                with latest_version and its openapi_schema
 *   GET  /v1/models/:owner/:name/versions/:id
 *   POST /v1/files                              multipart: content, filename, type, metadata
 *   GET  /v1/files/:id  · GET /v1/files/:id/download
 *   GET  /files/:name                           output files (like replicate.delivery: no auth)
 *
 * It serves only the models real Replicate serves (server/platforms/replicate/served.ts),
 * plus any a test adds (`models` option, `addModel`); others answer 404 as Replicate does,
 * and a prediction on a version that is gone (`removeModel`, `removeVersion`) answers 422
 * "Invalid version or not permitted". Inputs are checked against the version's schema
 * (required fields, enums, ranges) and refused with Replicate's 422 "Input validation failed".
 * A prediction input naming an uploaded file's URL reaches the model as that file.
 *
 * A prediction finishes on creation when the request says `Prefer: wait`, else on the
 * first GET; `slowNext(n)` makes the next one need n GETs (starting → processing →
 * succeeded). `refuseNext()` and `malformNext()` spoil the next prediction; `throttleNext`
 * and `paymentRequiredNext` answer the next request with Replicate's 429 and 402; `cancels`
 * lists cancelled ids, `predictions` holds every prediction made, `uploads` every file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';
import { DEFAULT_FAKE_MODELS, fakeVersionId, tinyPng, tinyWav, type FakeFiles, type FakeReplicateModel, type FakeRun } from './fake-replicate-models';

export { fakeVersionId, type FakeReplicateModel } from './fake-replicate-models';

export interface FakeReplicateAccount {
	type: 'user' | 'organization';
	username: string;
	name: string;
	github_url?: string;
}

export interface FakeReplicateOptions {
	/** API tokens the fake accepts. */
	keys: string[];
	/** The account returned by GET /v1/account (same for every valid key). */
	account?: Partial<FakeReplicateAccount>;
	/** Extra or replacement models, by `owner/name`. */
	models?: Record<string, FakeReplicateModel>;
	/** Replacement outputs for known models, by `owner/name`. */
	outputs?: Record<string, FakeRun>;
	/** Seconds reported as `metrics.predict_time` (default 1.5). */
	predictTime?: number;
	/** Largest upload POST /v1/files accepts (Replicate: 100 MB). */
	maxUploadBytes?: number;
}

/** A file uploaded through POST /v1/files. */
export interface FakeUpload {
	id: string;
	name: string;
	contentType: string;
	bytes: Uint8Array;
	metadata: unknown;
	/** What `urls.get` says, and what a prediction input names. */
	url: string;
}

export interface ThrottleOptions {
	/** Seconds in the body's `retry_after` (absent: not sent). */
	retryAfterBody?: number;
	/** `Retry-After` header: false (default) for none, or seconds. */
	header?: false | number;
	/** Seconds named in `detail` ("Your rate limit resets in ~Ns."); absent: a detail without a number. */
	detailSeconds?: number;
	/** Only this route, e.g. `'POST /v1/predictions'`. */
	route?: string;
}

export const NSFW_ERROR = 'NSFW content detected. Try running it again, or try a different prompt.';

export interface FakePrediction {
	id: string;
	model: string;
	version: string;
	input: Record<string, unknown>;
	status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
	/** GETs this prediction needs before it finishes. */
	pollsNeeded: number;
	gets: number;
	/** What it ends with. */
	result: { output: unknown; error: string | null; metrics: Record<string, number> };
	created_at: string;
	started_at: string | null;
	completed_at: string | null;
}

const TITLES: Record<number, string> = {
	401: 'Unauthenticated',
	403: 'Forbidden',
	402: 'Billing required',
	413: 'Request Entity Too Large',
	422: 'Unprocessable Entity',
	429: 'Request was throttled',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable'
};

const DETAILS: Record<number, string> = {
	401: 'You did not pass a valid authentication token',
	402: 'You need to set up billing to run this model. Go to https://replicate.com/account/billing#billing to set it up. If you have recently set up billing, please wait a few minutes before trying again.',
	413: 'Files must be less than 100MB in size',
	404: 'The requested resource could not be found.',
	429: 'Request was throttled. Expected available in 1 second.',
	500: 'An unexpected error occurred.'
};

/** Replicate's answers to a prediction on a version that does not exist, and to a missing model. */
export const INVALID_VERSION_BODY = {
	title: 'Invalid version or not permitted',
	detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
	status: 422
};
export const NOT_FOUND_BODY = { detail: 'The requested resource could not be found.', status: 404 };

/** The two 402 bodies Replicate sends (research §4.1). */
export const PAYMENT_REQUIRED_BODIES = {
	billing: {
		title: 'Billing required',
		detail: DETAILS[402],
		status: 402
	},
	credit: {
		title: 'Insufficient credit',
		detail:
			'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.',
		status: 402
	}
} as const;

type Spoil = { kind: 'refuse' } | { kind: 'malform' } | { kind: 'slow'; polls: number } | { kind: 'fail'; error: string };

export class FakeReplicate extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly account: FakeReplicateAccount;
	readonly models: Map<string, FakeReplicateModel>;
	readonly predictions = new Map<string, FakePrediction>();
	/** Ids of predictions a cancel was requested for, in order. */
	readonly cancels: string[] = [];
	/** Output files served at /files/:name. */
	readonly files = new Map<string, { bytes: Uint8Array; type: string }>();
	/** Files uploaded through POST /v1/files, by id. */
	readonly uploads = new Map<string, FakeUpload>();
	/** Version ids that are gone: creating a prediction on one answers 422. */
	readonly removedVersions = new Set<string>();
	#spoils: Spoil[] = [];
	#predictTime: number;
	#maxUploadBytes: number;

	constructor(options: FakeReplicateOptions) {
		super();
		this.keys = new Set(options.keys);
		this.account = {
			type: 'user',
			username: 'panic-tester',
			name: 'PANIC Tester',
			github_url: 'https://github.com/panic-tester',
			...options.account
		};
		this.models = new Map(Object.entries({ ...DEFAULT_FAKE_MODELS, ...options.models }));
		for (const [ref, run] of Object.entries(options.outputs ?? {})) {
			const model = this.models.get(ref);
			if (model) this.models.set(ref, { ...model, run });
		}
		this.#predictTime = options.predictTime ?? 1.5;
		this.#maxUploadBytes = options.maxUploadBytes ?? 100 * 1024 * 1024;

		this.route('GET', '/v1/account', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.account });
		this.route('POST', '/v1/predictions', (ctx) => this.#authenticate(ctx) ?? this.#create(ctx, undefined));
		this.route('POST', '/v1/models/:owner/:name/predictions', (ctx) => this.#authenticate(ctx) ?? this.#create(ctx, `${ctx.params.owner}/${ctx.params.name}`));
		this.route('GET', '/v1/predictions/:id', (ctx) => this.#authenticate(ctx) ?? this.#get(ctx.params.id));
		this.route('POST', '/v1/predictions/:id/cancel', (ctx) => this.#authenticate(ctx) ?? this.#cancel(ctx.params.id));
		this.route('GET', '/v1/models/:owner/:name', (ctx) => this.#authenticate(ctx) ?? this.#model(`${ctx.params.owner}/${ctx.params.name}`));
		this.route('GET', '/v1/models/:owner/:name/versions/:id', (ctx) => this.#authenticate(ctx) ?? this.#version(`${ctx.params.owner}/${ctx.params.name}`, ctx.params.id));
		this.route('POST', '/v1/files', (ctx) => this.#authenticate(ctx) ?? this.#upload(ctx));
		this.route('GET', '/v1/files/:id', (ctx) => {
			const upload = this.uploads.get(ctx.params.id);
			return this.#authenticate(ctx) ?? (upload ? { status: 200, body: this.#fileJson(upload) } : this.errorReply(404));
		});
		this.route('GET', '/v1/files/:id/download', (ctx) => {
			const upload = this.uploads.get(ctx.params.id);
			return this.#authenticate(ctx) ?? (upload ? { status: 200, headers: { 'content-type': upload.contentType }, body: upload.bytes } : this.errorReply(404));
		});
		this.route('GET', '/files/:name', (ctx) => {
			const file = this.files.get(ctx.params.name);
			return file ? { status: 200, headers: { 'content-type': file.type }, body: file.bytes } : this.errorReply(404);
		});
	}

	/** What to pass as the client's base URL (the real default is `https://api.replicate.com/v1`). */
	get baseUrl(): string {
		return `${this.url}/v1`;
	}

	/** The next prediction fails with Replicate's NSFW error. */
	refuseNext(): void {
		this.#spoils.push({ kind: 'refuse' });
	}

	/** The next prediction succeeds with an output no model has (`{ unexpected: 42 }`). */
	malformNext(): void {
		this.#spoils.push({ kind: 'malform' });
	}

	/** The next prediction fails with this error text. */
	failPredictionNext(error: string): void {
		this.#spoils.push({ kind: 'fail', error });
	}

	/** The next prediction needs `polls` GETs to finish (Infinity: never), even with `Prefer: wait`. */
	slowNext(polls = 3): void {
		this.#spoils.push({ kind: 'slow', polls });
	}

	/** Adds (or replaces) a model, as if someone published it. */
	addModel(ref: string, model: FakeReplicateModel): void {
		this.models.set(ref, model);
	}

	/** The model is gone: lookups 404, and predictions on any of its versions answer 422. */
	removeModel(ref: string): void {
		for (const version of this.versionsOf(ref)) this.removedVersions.add(version);
		this.models.delete(ref);
	}

	/** One version is gone (404 on lookup, 422 on predictions); the model stays, with the next version as latest. */
	removeVersion(version: string): void {
		this.removedVersions.add(version);
	}

	/** A model's live versions, newest first. */
	versionsOf(ref: string): string[] {
		const model = this.models.get(ref);
		if (!model) return [];
		return (model.versions ?? [fakeVersionId(ref)]).filter((v) => !this.removedVersions.has(v));
	}

	/** The next request (on `route`, if given) answers 429 as Replicate does. */
	throttleNext(options: ThrottleOptions = {}): void {
		const detail =
			options.detailSeconds === undefined ? 'Request was throttled' : `Request was throttled. Your rate limit resets in ~${options.detailSeconds}s.`;
		this.failNext(429, {
			route: options.route,
			headers: { 'content-type': 'application/problem+json', ...(options.header === undefined || options.header === false ? {} : { 'retry-after': String(options.header) }) },
			body: { title: 'Request was throttled', detail, status: 429, ...(options.retryAfterBody === undefined ? {} : { retry_after: options.retryAfterBody }) }
		});
	}

	/** The next request (on `route`, if given) answers 402: billing not set up, or no credit left. */
	paymentRequiredNext(options: { kind?: keyof typeof PAYMENT_REQUIRED_BODIES; route?: string; times?: number } = {}): void {
		this.failNext(402, {
			route: options.route,
			times: options.times,
			headers: { 'content-type': 'application/problem+json' },
			body: PAYMENT_REQUIRED_BODIES[options.kind ?? 'billing']
		});
	}

	/** GET requests made for one prediction. */
	pollsOf(id: string): number {
		return this.requests.filter((r) => r.method === 'GET' && r.path === `/v1/predictions/${id}`).length;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		// Replicate's 404 carries no title.
		if (status === 404 && message === undefined) return { status, headers: { 'content-type': 'application/problem+json' }, body: NOT_FOUND_BODY };
		return {
			status,
			headers: { 'content-type': 'application/problem+json' },
			body: {
				title: TITLES[status] ?? 'Error',
				detail: message ?? DETAILS[status] ?? 'Something went wrong.',
				status
			}
		};
	}

	/** Returns the 401 reply when the request carries no valid token, else undefined. */
	#authenticate(ctx: RouteContext): FakeReply | undefined {
		if (!ctx.bearer) return this.errorReply(401, 'You did not pass an authentication token');
		if (!this.keys.has(ctx.bearer)) return this.errorReply(401);
		return undefined;
	}

	#create(ctx: RouteContext, officialRef: string | undefined): FakeReply {
		let body: { version?: unknown; input?: unknown };
		try {
			body = JSON.parse(ctx.body);
		} catch {
			return this.errorReply(400, 'The request body is not valid JSON.');
		}
		let ref: string | undefined;
		let version: string;
		if (officialRef) {
			const model = this.models.get(officialRef);
			if (!model?.official || this.versionsOf(officialRef).length === 0) return this.errorReply(404);
			ref = officialRef;
			version = this.versionsOf(officialRef)[0];
		} else {
			version = String(body.version ?? '');
			ref = [...this.models.keys()].find((r) => this.versionsOf(r).includes(version));
			if (!ref) return { status: 422, headers: { 'content-type': 'application/problem+json' }, body: INVALID_VERSION_BODY };
		}
		const model = this.models.get(ref)!;
		if (typeof body.input !== 'object' || body.input === null) return this.errorReply(422, 'input is required');
		const input = body.input as Record<string, unknown>;
		const invalid = invalidInputs(model.openapiSchema, input);
		if (invalid.length > 0) {
			return {
				status: 422,
				headers: { 'content-type': 'application/problem+json' },
				body: {
					detail: invalid.map((f) => `- ${f.field}: ${f.description}\n`).join(''),
					status: 422,
					title: 'Input validation failed',
					invalid_fields: invalid
				}
			};
		}

		const spoil = this.#spoils.shift();
		const waited = /^wait(=\d+)?$/.test(String(ctx.headers.prefer ?? ''));
		const prediction: FakePrediction = {
			id: randomBytes(13).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x'),
			model: ref,
			version,
			input,
			status: 'starting',
			pollsNeeded: spoil?.kind === 'slow' ? spoil.polls : waited ? 0 : 1,
			gets: 0,
			result: this.#result(model, this.#withUploads(input), spoil),
			created_at: new Date().toISOString(),
			started_at: null,
			completed_at: null
		};
		this.predictions.set(prediction.id, prediction);
		if (prediction.pollsNeeded === 0) this.#finish(prediction);
		return { status: 201, body: this.#json(prediction) };
	}

	#result(model: FakeReplicateModel, input: Record<string, unknown>, spoil: Spoil | undefined): FakePrediction['result'] {
		const metrics = { predict_time: this.#predictTime, total_time: this.#predictTime + 0.2 };
		if (spoil?.kind === 'refuse') return { output: null, error: NSFW_ERROR, metrics };
		if (spoil?.kind === 'fail') return { output: null, error: spoil.error, metrics };
		if (spoil?.kind === 'malform') return { output: { unexpected: 42 }, error: null, metrics };
		return { output: model.run(input, this.#fileServer()), error: null, metrics: { ...metrics, ...model.metrics?.(input) } };
	}

	/** The input as the model reads it: an uploaded file's URL becomes that file (as a data URI). */
	#withUploads(input: Record<string, unknown>): Record<string, unknown> {
		return Object.fromEntries(
			Object.entries(input).map(([k, v]) => {
				const upload = typeof v === 'string' ? [...this.uploads.values()].find((u) => u.url === v) : undefined;
				return [k, upload ? `data:${upload.contentType};base64,${Buffer.from(upload.bytes).toString('base64')}` : v];
			})
		);
	}

	async #upload(ctx: RouteContext): Promise<FakeReply> {
		if (ctx.rawBody.byteLength > this.#maxUploadBytes) {
			return { status: 413, headers: { 'content-type': 'application/problem+json' }, body: { detail: 'Files must be less than 100MB in size' } };
		}
		let form: FormData;
		try {
			form = await new Response(new Uint8Array(ctx.rawBody), { headers: { 'content-type': String(ctx.headers['content-type'] ?? '') } }).formData();
		} catch {
			return this.errorReply(400, 'The request body is not valid multipart/form-data.');
		}
		const content = form.get('content');
		if (!(content instanceof Blob)) return this.errorReply(422, 'content is required');
		const bytes = new Uint8Array(await content.arrayBuffer());
		const named = form.get('filename');
		const typed = form.get('type');
		const meta = form.get('metadata');
		let metadata: unknown = {};
		try {
			metadata = meta === null ? {} : JSON.parse(typeof meta === 'string' ? meta : await meta.text());
		} catch {
			return this.errorReply(422, 'metadata must be JSON');
		}
		const id = randomBytes(13).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x');
		const upload: FakeUpload = {
			id,
			name: typeof named === 'string' ? named : content instanceof File ? content.name : 'file',
			contentType: typeof typed === 'string' ? typed : content.type || 'application/octet-stream',
			bytes,
			metadata,
			url: `${this.baseUrl}/files/${id}`
		};
		this.uploads.set(id, upload);
		return { status: 201, body: this.#fileJson(upload) };
	}

	/** A file object as Replicate's OpenAPI describes it. */
	#fileJson(upload: FakeUpload) {
		const created = new Date();
		return {
			id: upload.id,
			name: upload.name,
			content_type: upload.contentType,
			size: upload.bytes.byteLength,
			etag: createHash('md5').update(upload.bytes).digest('hex'),
			checksums: { sha256: createHash('sha256').update(upload.bytes).digest('hex'), md5: createHash('md5').update(upload.bytes).digest('hex') },
			metadata: upload.metadata,
			created_at: created.toISOString(),
			expires_at: new Date(created.getTime() + 24 * 3600_000).toISOString(),
			urls: { get: upload.url }
		};
	}

	#fileServer(): FakeFiles {
		const serve = (bytes: Uint8Array, ext: string, type: string) => {
			const name = `${randomBytes(8).toString('hex')}.${ext}`;
			this.files.set(name, { bytes, type });
			return `${this.url}/files/${name}`;
		};
		return { png: () => serve(tinyPng(this.files.size), 'png', 'image/png'), wav: () => serve(tinyWav(), 'wav', 'audio/wav') };
	}

	#finish(prediction: FakePrediction): void {
		const now = new Date().toISOString();
		prediction.status = prediction.result.error ? 'failed' : 'succeeded';
		prediction.started_at ??= now;
		prediction.completed_at = now;
	}

	#get(id: string): FakeReply {
		const prediction = this.predictions.get(id);
		if (!prediction) return this.errorReply(404);
		if (prediction.completed_at === null) {
			prediction.gets += 1;
			if (prediction.gets >= prediction.pollsNeeded) this.#finish(prediction);
			else {
				prediction.status = 'processing';
				prediction.started_at ??= new Date().toISOString();
			}
		}
		return { status: 200, body: this.#json(prediction) };
	}

	#cancel(id: string): FakeReply {
		const prediction = this.predictions.get(id);
		if (!prediction) return this.errorReply(404);
		this.cancels.push(id);
		if (prediction.completed_at === null) {
			prediction.status = 'canceled';
			prediction.completed_at = new Date().toISOString();
		}
		return { status: 200, body: this.#json(prediction) };
	}

	/** A prediction as the API shows it: output, error and metrics only once finished. */
	#json(p: FakePrediction) {
		const done = p.completed_at !== null;
		const api = `${this.baseUrl}/predictions/${p.id}`;
		return {
			id: p.id,
			model: p.model,
			version: p.version,
			input: p.input,
			logs: done ? 'Running prediction...\n' : '',
			output: done && p.status === 'succeeded' ? p.result.output : null,
			data_removed: false,
			error: done && p.status === 'failed' ? p.result.error : null,
			status: p.status,
			created_at: p.created_at,
			started_at: p.started_at,
			completed_at: p.completed_at,
			urls: { web: `https://replicate.com/p/${p.id}`, get: api, cancel: `${api}/cancel` },
			metrics: done && p.status !== 'canceled' ? p.result.metrics : {}
		};
	}

	#versionJson(ref: string, id: string) {
		return {
			id,
			created_at: '2024-01-01T00:00:00.000Z',
			cog_version: '0.9.4',
			openapi_schema: this.models.get(ref)?.openapiSchema ?? null
		};
	}

	#model(ref: string): FakeReply {
		const model = this.models.get(ref);
		if (!model) return this.errorReply(404);
		const [owner, name] = ref.split('/');
		return {
			status: 200,
			body: {
				url: `https://replicate.com/${ref}`,
				owner,
				name,
				description: model.description ?? `The ${name} model.`,
				visibility: 'public',
				github_url: null,
				paper_url: null,
				license_url: null,
				run_count: 1234,
				cover_image_url: null,
				default_example: null,
				is_official: model.official === true,
				latest_version: this.versionsOf(ref).length > 0 ? this.#versionJson(ref, this.versionsOf(ref)[0]) : null
			}
		};
	}

	#version(ref: string, id: string): FakeReply {
		if (!this.versionsOf(ref).includes(id)) return this.errorReply(404);
		return { status: 200, body: this.#versionJson(ref, id) };
	}
}

export async function startFakeReplicate(options: FakeReplicateOptions): Promise<FakeReplicate> {
	return new FakeReplicate(options).start();
}

type SchemaProperty = { type?: string; format?: string; enum?: unknown[]; minimum?: number; maximum?: number; allOf?: Array<{ $ref?: string }> };

/**
 * What Cog's input validation would refuse: missing required fields, values outside an enum
 * or a range, and values of the wrong type. Fields the schema does not name pass (Cog
 * ignores them), so request-shape tests check what was sent themselves.
 */
function invalidInputs(openapiSchema: Record<string, unknown> | undefined, input: Record<string, unknown>) {
	const schemas = (openapiSchema as { components?: { schemas?: Record<string, { required?: string[]; properties?: Record<string, SchemaProperty>; enum?: unknown[] }> } } | undefined)
		?.components?.schemas;
	const Input = schemas?.Input;
	const invalid: Array<{ type: string; field: string; description: string }> = [];
	for (const name of Input?.required ?? []) {
		if (input[name] === undefined) invalid.push({ type: 'required', field: `input.${name}`, description: `${name} is required` });
	}
	for (const [name, value] of Object.entries(input)) {
		const p = Input?.properties?.[name];
		if (!p || value === undefined || value === null) continue;
		const ref = p.allOf?.[0]?.$ref?.split('/').pop();
		const values = p.enum ?? (ref ? schemas?.[ref]?.enum : undefined);
		const field = `input.${name}`;
		if (values && !values.includes(value)) {
			invalid.push({ type: 'enum', field, description: `${name} must be one of the following: ${values.map((v) => JSON.stringify(v)).join(', ')}` });
		} else if ((p.type === 'integer' || p.type === 'number') && (typeof value !== 'number' || (p.type === 'integer' && !Number.isInteger(value)))) {
			invalid.push({ type: 'invalid_type', field, description: `Invalid type. Expected: ${p.type}, given: ${typeof value}` });
		} else if (typeof value === 'number' && ((p.minimum !== undefined && value < p.minimum) || (p.maximum !== undefined && value > p.maximum))) {
			invalid.push({ type: 'number_range', field, description: `${name} must be between ${p.minimum ?? '-∞'} and ${p.maximum ?? '∞'}` });
		} else if (p.type === 'boolean' && typeof value !== 'boolean') {
			invalid.push({ type: 'invalid_type', field, description: `Invalid type. Expected: boolean, given: ${typeof value}` });
		} else if (p.type === 'string' && typeof value !== 'string') {
			invalid.push({ type: 'invalid_type', field, description: `Invalid type. Expected: string, given: ${typeof value}` });
		}
	}
	return invalid;
}
