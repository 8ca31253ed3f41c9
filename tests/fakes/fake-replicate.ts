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
 *   GET  /files/:name                           output files (like replicate.delivery: no auth)
 *
 * A prediction finishes on creation when the request says `Prefer: wait`, else on the
 * first GET; `slowNext(n)` makes the next one need n GETs (starting → processing →
 * succeeded). `refuseNext()` and `malformNext()` spoil the next prediction; `cancels`
 * lists cancelled ids and `predictions` holds every prediction made.
 */
import { randomBytes } from 'node:crypto';
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
	404: 'Not found',
	422: 'Unprocessable Entity',
	429: 'Request was throttled',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable'
};

const DETAILS: Record<number, string> = {
	401: 'You did not pass a valid authentication token',
	404: 'The requested resource could not be found.',
	429: 'Request was throttled. Expected available in 1 second.',
	500: 'An unexpected error occurred.'
};

type Spoil = { kind: 'refuse' } | { kind: 'malform' } | { kind: 'slow'; polls: number } | { kind: 'fail'; error: string };

export class FakeReplicate extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly account: FakeReplicateAccount;
	readonly models: Map<string, FakeReplicateModel>;
	readonly predictions = new Map<string, FakePrediction>();
	/** Ids of predictions a cancel was requested for, in order. */
	readonly cancels: string[] = [];
	readonly files = new Map<string, { bytes: Uint8Array; type: string }>();
	#spoils: Spoil[] = [];
	#predictTime: number;

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

		this.route('GET', '/v1/account', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.account });
		this.route('POST', '/v1/predictions', (ctx) => this.#authenticate(ctx) ?? this.#create(ctx, undefined));
		this.route('POST', '/v1/models/:owner/:name/predictions', (ctx) => this.#authenticate(ctx) ?? this.#create(ctx, `${ctx.params.owner}/${ctx.params.name}`));
		this.route('GET', '/v1/predictions/:id', (ctx) => this.#authenticate(ctx) ?? this.#get(ctx.params.id));
		this.route('POST', '/v1/predictions/:id/cancel', (ctx) => this.#authenticate(ctx) ?? this.#cancel(ctx.params.id));
		this.route('GET', '/v1/models/:owner/:name', (ctx) => this.#authenticate(ctx) ?? this.#model(`${ctx.params.owner}/${ctx.params.name}`));
		this.route('GET', '/v1/models/:owner/:name/versions/:id', (ctx) => this.#authenticate(ctx) ?? this.#version(`${ctx.params.owner}/${ctx.params.name}`, ctx.params.id));
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

	/** GET requests made for one prediction. */
	pollsOf(id: string): number {
		return this.requests.filter((r) => r.method === 'GET' && r.path === `/v1/predictions/${id}`).length;
	}

	protected errorReply(status: number, message?: string): FakeReply {
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
		const ref = officialRef ?? [...this.models.keys()].find((r) => fakeVersionId(r) === body.version);
		const model = ref ? this.models.get(ref) : undefined;
		if (!ref || !model) return officialRef ? this.errorReply(404) : this.errorReply(422, 'Invalid version or not permitted.');
		if (officialRef && !model.official) return this.errorReply(404);
		if (typeof body.input !== 'object' || body.input === null) return this.errorReply(422, 'input is required');
		const input = body.input as Record<string, unknown>;
		const required = (model.openapiSchema as { components?: { schemas?: { Input?: { required?: string[] } } } })?.components?.schemas?.Input?.required ?? [];
		const missing = required.find((name) => input[name] === undefined);
		if (missing) return this.errorReply(422, `Input validation failed: ${missing} is required`);

		const spoil = this.#spoils.shift();
		const waited = /^wait(=\d+)?$/.test(String(ctx.headers.prefer ?? ''));
		const prediction: FakePrediction = {
			id: randomBytes(13).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x'),
			model: ref,
			version: fakeVersionId(ref),
			input,
			status: 'starting',
			pollsNeeded: spoil?.kind === 'slow' ? spoil.polls : waited ? 0 : 1,
			gets: 0,
			result: this.#result(model, input, spoil),
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

	#versionJson(ref: string) {
		return {
			id: fakeVersionId(ref),
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
				latest_version: this.#versionJson(ref)
			}
		};
	}

	#version(ref: string, id: string): FakeReply {
		if (!this.models.has(ref) || id !== fakeVersionId(ref)) return this.errorReply(404);
		return { status: 200, body: this.#versionJson(ref) };
	}
}

export async function startFakeReplicate(options: FakeReplicateOptions): Promise<FakeReplicate> {
	return new FakeReplicate(options).start();
}
