/**
 * A fake of the Hugging Face Hub API (https://huggingface.co) and of the inference router
 * (https://router.huggingface.co/{provider}/…), for tests. It serves exactly what
 * `server/platforms/huggingface/served.ts` says the real Hugging Face serves (a copy, so knobs
 * change only this fake): models or providers outside that table are refused the way the
 * router passes on the provider's refusal.
 *
 * Point the clients at it with `{ hfBaseUrl: fake.url }`: the Hub library uses it as
 * `hubUrl`, and the inference client factory sends router traffic to `<hfBaseUrl>/router/...`.
 *
 * Routes, as `@huggingface/inference` 4.13.30 calls them with an `hf_` token
 * (paths from its src/providers/*.ts `makeRoute`):
 * - GET  /api/whoami-v2
 * - GET  /api/models/:owner/:name?expand[]=inferenceProviderMapping: the model's mappings in
 *   the array form `[{ provider, hfModelId, providerId, status, task }]`; 404 for unknown repos
 * - chat (OpenAI-shaped, `model` = the provider's id): /router/groq/openai/v1/chat/completions,
 *   /router/novita/v3/openai/chat/completions, /router/deepinfra/v1/openai/chat/completions,
 *   /router/{cerebras,nscale,ovhcloud,together}/v1/chat/completions,
 *   /router/hf-inference/models/:owner/:name/v1/chat/completions
 * - POST /router/nscale/v1/images/generations → `{ created, data: [{ b64_json }] }`
 * - POST /router/deepinfra/v1/openai/embeddings → `{ object: 'list', data: [{ embedding }], … }`
 * - POST /router/replicate/v1/models/:owner/:name/predictions (`Prefer: wait`) → a finished
 *   prediction whose `output` is a file URL on this fake (GET /files/:id/:file)
 * - POST /router/hf-inference/models/:owner/:name: the mapping's task decides the shapes
 *   (ASR and image-to-text take raw bytes; text-to-image/-speech JSON `{ inputs, parameters }`
 *   and answer PNG / WAV bytes; image-to-image JSON with base64 `inputs`)
 * - POST /router/hf-inference/models/:owner/:name/pipeline/feature-extraction → number[]
 *
 * Refusals: an unknown model on an OpenAI-compatible provider is 404
 * `{ error: { message, type: 'invalid_request_error', code: 'model_not_found' } }`; on
 * replicate 404 `{ detail, status }`; on hf-inference 404 `{ error }`. (The router's exact
 * pass-through body is not documented; these are the providers' own shapes.)
 *
 * Knobs: `creditsExhausted` (every router call answers 402 with Hugging Face's message),
 * `retire(repo, provider)` / `retireAfter(repo, provider, calls)` (the Hub stops mapping it and
 * the provider stops serving it), `setStatus(...)`, `outputUrlNext(url)` (the next answer that
 * names an output file names this URL), and on any router call `refuseNext()` (400 NSFW),
 * `malformNext()` (200 with JSON no task can use), `loadingNext()` (503 with `estimated_time`).
 */
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';
import { SERVED, type HfProvider, type HubTask, type ProviderMapping, type ServedModel } from '../../server/platforms/huggingface/served';

export interface FakeHuggingFaceOptions {
	/** Access tokens the fake accepts (real ones start with `hf_`). */
	keys: string[];
	/** User name returned by whoami. */
	name?: string;
	/** What the fake serves; served.ts's table unless given. */
	served?: Readonly<Record<string, ServedModel>>;
}

/** Hugging Face's 402 body, word for word. */
export const HF_NO_CREDIT_MESSAGE =
	'You have exceeded your monthly included credits for Inference Providers. Subscribe to PRO to get 20x more monthly included credits.';

const ERRORS: Record<number, string> = {
	401: 'Invalid credentials in Authorization header',
	402: HF_NO_CREDIT_MESSAGE,
	403: 'Forbidden',
	404: 'Not Found',
	429: 'You have exceeded our hourly quotas for action: api. Retry later.',
	500: "Internal Error - We're working hard to fix this as soon as possible!"
};

/** Sentence vector lengths per embedding model. */
const DIMENSIONS: Record<string, number> = { 'Qwen/Qwen3-Embedding-0.6B': 1024, 'sentence-transformers/all-MiniLM-L6-v2': 384 };

/** Providers whose chat route the fake serves, and where the client sends it. */
const CHAT_ROUTES: Array<[HfProvider, string]> = [
	['groq', '/router/groq/openai/v1/chat/completions'],
	['novita', '/router/novita/v3/openai/chat/completions'],
	['deepinfra', '/router/deepinfra/v1/openai/chat/completions'],
	['cerebras', '/router/cerebras/v1/chat/completions'],
	['nscale', '/router/nscale/v1/chat/completions'],
	['ovhcloud', '/router/ovhcloud/v1/chat/completions'],
	['together', '/router/together/v1/chat/completions']
];

type Hook = 'refuse' | 'malform' | 'loading';
type Served = { repo: string; mapping: ProviderMapping };

export class FakeHuggingFace extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly userName: string;
	/** The fake's own copy of the table: repo → its current mappings. */
	readonly table: Map<string, ProviderMapping[]>;
	/** Every router call answers 402 (out of Inference Providers credits) while true. */
	creditsExhausted = false;
	#hooks: Hook[] = [];
	#outputUrls: string[] = [];
	#retireAfter = new Map<string, number>();
	#files = new Map<string, Uint8Array>();

	constructor(options: FakeHuggingFaceOptions) {
		super();
		this.keys = new Set(options.keys);
		this.userName = options.name ?? 'panic-tester';
		this.table = new Map(Object.entries(options.served ?? SERVED).map(([repo, model]) => [repo, model.mappings.map((m) => ({ ...m }))]));

		this.route('GET', '/api/whoami-v2', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.#whoami() });
		this.route('GET', '/api/models/:owner/:name', (ctx) => this.#modelInfo(ctx));
		this.route('GET', '/files/:id/:file', (ctx) => this.#file(ctx));
		for (const [provider, path] of CHAT_ROUTES) {
			this.route('POST', path, (ctx) => this.#router(ctx, provider, 'conversational', modelInBody(ctx)));
		}
		this.route('POST', '/router/nscale/v1/images/generations', (ctx) => this.#router(ctx, 'nscale', 'text-to-image', modelInBody(ctx)));
		this.route('POST', '/router/deepinfra/v1/openai/embeddings', (ctx) => this.#router(ctx, 'deepinfra', 'feature-extraction', modelInBody(ctx)));
		this.route('POST', '/router/replicate/v1/models/:owner/:name/predictions', (ctx) =>
			this.#router(ctx, 'replicate', 'image-to-image', `${ctx.params.owner}/${ctx.params.name}`)
		);
		const hfModel = (ctx: RouteContext) => `${ctx.params.owner}/${ctx.params.name}`;
		this.route('POST', '/router/hf-inference/models/:owner/:name', (ctx) => this.#router(ctx, 'hf-inference', undefined, hfModel(ctx)));
		this.route('POST', '/router/hf-inference/models/:owner/:name/v1/chat/completions', (ctx) => this.#router(ctx, 'hf-inference', 'conversational', hfModel(ctx)));
		this.route('POST', '/router/hf-inference/models/:owner/:name/pipeline/feature-extraction', (ctx) =>
			this.#router(ctx, 'hf-inference', 'feature-extraction', hfModel(ctx))
		);
	}

	/** What to pass as `hfBaseUrl` (the Hub's real origin is `https://huggingface.co`). */
	get baseUrl(): string {
		return this.url;
	}

	/** The next inference call is refused as unsafe: 400 `{ error: '...NSFW...' }`. */
	refuseNext(): void {
		this.#hooks.push('refuse');
	}

	/** The next inference call answers 200 with JSON that no task's output can be read from. */
	malformNext(): void {
		this.#hooks.push('malform');
	}

	/** The next inference call finds the model cold: 503 with `estimated_time` in seconds. */
	loadingNext(): void {
		this.#hooks.push('loading');
	}

	/** The next answer that names an output file names `url` instead of a file on this fake. */
	outputUrlNext(url: string): void {
		this.#outputUrls.push(url);
	}

	/** The Hub stops mapping `repo` to `provider`, and the provider stops serving it. */
	retire(repo: string, provider: HfProvider): void {
		this.table.set(repo, (this.table.get(repo) ?? []).filter((m) => m.provider !== provider));
	}

	/** As `retire`, once `calls` more calls to it have been served. */
	retireAfter(repo: string, provider: HfProvider, calls: number): void {
		this.#retireAfter.set(`${repo} ${provider}`, calls);
	}

	setStatus(repo: string, provider: HfProvider, status: ProviderMapping['status']): void {
		for (const m of this.table.get(repo) ?? []) if (m.provider === provider) m.status = status;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		return { status, body: { error: message ?? ERRORS[status] ?? 'Error' } };
	}

	/** The Hub's model info with `inferenceProviderMapping` in the array form. */
	#modelInfo(ctx: RouteContext): FakeReply {
		if (ctx.bearer && !this.keys.has(ctx.bearer)) return this.errorReply(401);
		const repo = `${ctx.params.owner}/${ctx.params.name}`;
		const mappings = this.table.get(repo);
		if (!mappings) return this.errorReply(404, 'Repository not found');
		return {
			status: 200,
			body: {
				_id: '65f0c0ffee0123456789abce',
				id: repo,
				inferenceProviderMapping: mappings.map((m) => ({ provider: m.provider, hfModelId: repo, providerId: m.providerId, status: m.status, task: m.task }))
			}
		};
	}

	/** Any router call: the key, the credits, the model, then the hooks, then the provider's answer. */
	async #router(ctx: RouteContext, provider: HfProvider, task: HubTask | undefined, providerId: string | undefined): Promise<FakeReply> {
		const refused = this.#authenticate(ctx);
		if (refused) return refused;
		if (this.creditsExhausted) return this.errorReply(402);
		const served = this.#find(provider, task, providerId);
		if (!served) return refusal(provider, providerId);
		const hook = this.#hooks.shift();
		if (hook === 'refuse') return this.errorReply(400, 'Input flagged as potential NSFW content by the safety checker');
		if (hook === 'malform') return { status: 200, body: { unexpected: 'shape' } };
		if (hook === 'loading') return { status: 503, body: { error: `Model ${served.repo} is currently loading`, estimated_time: 20 } };
		this.#countCall(served);
		return this.#answer(served, ctx);
	}

	#find(provider: HfProvider, task: HubTask | undefined, providerId: string | undefined): Served | undefined {
		for (const [repo, mappings] of this.table) {
			const mapping = mappings.find(
				(m) => m.provider === provider && m.providerId === providerId && (task === undefined || m.task === task || (task === 'feature-extraction' && m.task === 'sentence-similarity'))
			);
			if (mapping) return { repo, mapping };
		}
		return undefined;
	}

	#countCall({ repo, mapping }: Served): void {
		const key = `${repo} ${mapping.provider}`;
		const left = this.#retireAfter.get(key);
		if (left === undefined) return;
		if (left <= 1) {
			// This call is still answered (its mapping is already found); the next is refused.
			this.#retireAfter.delete(key);
			this.retire(repo, mapping.provider);
		} else this.#retireAfter.set(key, left - 1);
	}

	#answer({ repo, mapping }: Served, ctx: RouteContext): FakeReply {
		switch (mapping.task) {
			case 'conversational':
				return { status: 200, headers: { 'x-request-id': `${mapping.provider}-req-1` }, body: chatAnswer(mapping, ctx.body) };
			case 'text-to-image':
				if (mapping.provider === 'nscale') return { status: 200, body: { created: 1_790_000_000, data: [{ b64_json: Buffer.from(tinyPng()).toString('base64') }] } };
				if (this.#outputUrls.length) return { status: 200, body: { output: [this.#outputUrls.shift()] } };
				return { status: 200, headers: { 'content-type': 'image/png', 'x-request-id': 'hf-req-1' }, body: tinyPng() };
			case 'image-to-image':
				if (mapping.provider === 'replicate') return { status: 201, body: this.#prediction(mapping, ctx) };
				return { status: 200, headers: { 'content-type': 'image/png', 'x-request-id': 'hf-req-1' }, body: tinyPng() };
			case 'automatic-speech-recognition':
				return { status: 200, body: { text: ` words heard in ${ctx.rawBody.byteLength} bytes` } };
			case 'image-to-text':
				return { status: 200, body: { generated_text: `a picture of ${ctx.rawBody.byteLength} bytes` } };
			case 'text-to-speech':
				return { status: 200, headers: { 'content-type': 'audio/wav' }, body: tinyWav() };
			case 'feature-extraction':
			case 'sentence-similarity': {
				const body = JSON.parse(ctx.body) as { inputs?: string; input?: string };
				const vector = vectorFor(body.inputs ?? body.input ?? '', DIMENSIONS[repo] ?? 384);
				if (mapping.provider === 'hf-inference') return { status: 200, body: vector };
				return {
					status: 200,
					body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: vector }], model: mapping.providerId, usage: { prompt_tokens: 3, total_tokens: 3 } }
				};
			}
		}
	}

	/** A Replicate prediction finished within `Prefer: wait`, its output a file on this fake. */
	#prediction(mapping: ProviderMapping, ctx: RouteContext) {
		const id = `fake${this.requests.length.toString(36).padStart(8, '0')}`;
		this.#files.set(id, tinyPng());
		const output = this.#outputUrls.shift() ?? `${this.url}/files/${id}/out-0.png`;
		const { input } = JSON.parse(ctx.body) as { input?: Record<string, unknown> };
		return {
			id,
			model: mapping.providerId,
			version: 'hidden',
			input: { prompt: input?.prompt },
			logs: '',
			output,
			data_removed: false,
			error: null,
			status: 'succeeded',
			created_at: '2026-12-07T10:00:00.000Z',
			started_at: '2026-12-07T10:00:00.100Z',
			completed_at: '2026-12-07T10:00:01.300Z',
			urls: { cancel: `https://api.replicate.com/v1/predictions/${id}/cancel`, get: `https://api.replicate.com/v1/predictions/${id}`, web: `https://replicate.com/p/${id}` },
			metrics: { predict_time: 1.2 }
		};
	}

	#file(ctx: RouteContext): FakeReply {
		const bytes = this.#files.get(ctx.params.id);
		return bytes ? { status: 200, headers: { 'content-type': 'image/png' }, body: bytes } : { status: 404, body: 'not found' };
	}

	/**
	 * The shape `@huggingface/hub`'s `whoAmI` reads (see its `ApiWhoAmIReponse`):
	 * a user entity plus `auth`, which whoAmI dereferences unconditionally.
	 */
	#whoami() {
		return {
			type: 'user',
			id: '65f0c0ffee0123456789abcd',
			name: this.userName,
			fullname: 'PANIC Tester',
			email: `${this.userName}@example.org`,
			emailVerified: true,
			isPro: false,
			canPay: false,
			avatarUrl: '/avatars/default.svg',
			periodEnd: null,
			billingMode: 'prepaid',
			orgs: [],
			auth: {
				type: 'access_token',
				accessToken: { displayName: 'panic', role: 'read', createdAt: '2025-01-01T00:00:00.000Z' }
			}
		};
	}

	/** Returns the 401 reply when the request carries no valid token, else undefined. */
	#authenticate(ctx: RouteContext): FakeReply | undefined {
		if (!ctx.bearer || !this.keys.has(ctx.bearer)) return this.errorReply(401);
		return undefined;
	}
}

function modelInBody(ctx: RouteContext): string | undefined {
	try {
		const model = (JSON.parse(ctx.body) as { model?: unknown }).model;
		return typeof model === 'string' ? model : undefined;
	} catch {
		return undefined;
	}
}

/** How each provider says it does not serve a model. */
function refusal(provider: HfProvider, providerId: string | undefined): FakeReply {
	if (provider === 'replicate') return { status: 404, body: { detail: 'The requested resource could not be found.', status: 404 } };
	if (provider === 'hf-inference') return { status: 404, body: { error: `Model ${providerId} does not exist` } };
	return {
		status: 404,
		body: { error: { message: `The model \`${providerId}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } }
	};
}

/** An OpenAI-shaped chat answer: text turns are answered, an image turn is measured. */
function chatAnswer(mapping: ProviderMapping, body: string) {
	type Part = { type: string; text?: string; image_url?: { url: string } };
	const { messages } = JSON.parse(body) as { messages: Array<{ role: string; content: string | Part[] }> };
	const last = messages.at(-1)?.content ?? '';
	const image = Array.isArray(last) ? last.find((p) => p.type === 'image_url')?.image_url?.url : undefined;
	const content = image
		? `A picture of ${Buffer.from(image.slice(image.indexOf(',') + 1), 'base64').byteLength} bytes (${/^data:([^;,]+)/.exec(image)?.[1]}).`
		: `An answer to: ${typeof last === 'string' ? last : ''}`;
	return {
		id: 'chatcmpl-fake',
		object: 'chat.completion',
		created: 1_790_000_000,
		model: mapping.providerId,
		system_fingerprint: null,
		choices: [
			{
				index: 0,
				finish_reason: 'stop',
				// gpt-oss on groq returns its thinking apart, in `reasoning`.
				message: { role: 'assistant', content, ...(mapping.provider === 'groq' ? { reasoning: 'The user wants a short paragraph.' } : {}) }
			}
		],
		usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }
	};
}

/** A deterministic vector per text, so equal texts embed equally. */
function vectorFor(text: string, length: number): number[] {
	let seed = 0;
	for (const c of text) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
	return Array.from({ length }, (_, i) => Math.sin(seed + i));
}

function tinyPng(): Uint8Array {
	return encodePng({ width: 2, height: 2, rgb: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) });
}

function tinyWav(): Uint8Array {
	return encodeWav({ sampleRate: 8000, samples: new Float32Array(80).map((_, i) => Math.sin(i / 4) * 0.5) });
}

export async function startFakeHuggingFace(options: FakeHuggingFaceOptions): Promise<FakeHuggingFace> {
	return new FakeHuggingFace(options).start();
}
