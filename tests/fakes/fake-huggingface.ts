/**
 * A fake of the Hugging Face Hub API (https://huggingface.co) and of the inference router's
 * `hf-inference` provider (https://router.huggingface.co/hf-inference), for tests.
 *
 * Point the clients at it with `{ hfBaseUrl: fake.url }`: the Hub library uses it as
 * `hubUrl`, and the inference client factory sends router traffic to `<hfBaseUrl>/router/...`.
 *
 * Routes, as `@huggingface/inference` 4 calls them for provider `hf-inference`:
 * - GET  /api/whoami-v2
 * - GET  /api/models/:owner/:name (the library's provider-mapping look-up, before every
 *   first call to a model; models the fake was not given answer 404 like unknown repos)
 * - POST /router/hf-inference/models/:owner/:name: the model's task decides the shapes:
 *   image-to-text and ASR take the raw bytes and answer `{ generated_text }` / `{ text }`;
 *   text-to-speech and text-to-image take JSON `{ inputs, parameters }` and answer a WAV /
 *   PNG; image-to-image takes JSON `{ inputs: <base64>, parameters }` (raw bytes when the
 *   caller sends no parameters) and answers a PNG.
 * - POST /router/hf-inference/models/:owner/:name/v1/chat/completions (OpenAI-shaped)
 * - POST /router/hf-inference/models/:owner/:name/pipeline/feature-extraction → number[]
 *
 * Errors use `{ error: "..." }` with a JSON content type, as the Hub and router do.
 * Hooks on the router routes: `refuseNext()` (a 400 NSFW refusal), `malformNext()` (200 with
 * JSON no task can use), `loadingNext()` (503 "model is loading" with `estimated_time`).
 */
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';
import { encodePng } from '../../server/platforms/local/png';
import { encodeWav } from '../../server/platforms/local/wav';

/** The Hub's task names, as the provider mapping reports them. */
export type FakeHfTask =
	| 'image-to-text'
	| 'automatic-speech-recognition'
	| 'text-to-speech'
	| 'text-to-image'
	| 'image-to-image'
	| 'conversational'
	| 'feature-extraction';

export interface FakeHuggingFaceOptions {
	/** Access tokens the fake accepts (real ones start with `hf_`). */
	keys: string[];
	/** User name returned by whoami. */
	name?: string;
	/** Models served on hf-inference, by repo id (`owner/name`), with their task. */
	models?: Record<string, FakeHfTask>;
	/** Length of feature-extraction vectors (all-MiniLM-L6-v2 gives 384). */
	dimensions?: number;
}

const ERRORS: Record<number, string> = {
	401: 'Invalid credentials in Authorization header',
	403: 'Forbidden',
	404: 'Not Found',
	429: 'You have exceeded our hourly quotas for action: api. Retry later.',
	500: 'Internal Error - We\'re working hard to fix this as soon as possible!'
};

type Hook = 'refuse' | 'malform' | 'loading';

export class FakeHuggingFace extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly userName: string;
	readonly models: Map<string, FakeHfTask>;
	readonly dimensions: number;
	#hooks: Hook[] = [];

	constructor(options: FakeHuggingFaceOptions) {
		super();
		this.keys = new Set(options.keys);
		this.userName = options.name ?? 'panic-tester';
		this.models = new Map(Object.entries(options.models ?? {}));
		this.dimensions = options.dimensions ?? 384;

		this.route('GET', '/api/whoami-v2', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.#whoami() });
		this.route('GET', '/api/models/:owner/:name', (ctx) => this.#modelInfo(ctx));
		this.route('POST', '/router/hf-inference/models/:owner/:name', (ctx) => this.#serve(ctx, ['image-to-text', 'automatic-speech-recognition', 'text-to-speech', 'text-to-image', 'image-to-image']));
		this.route('POST', '/router/hf-inference/models/:owner/:name/v1/chat/completions', (ctx) => this.#serve(ctx, ['conversational']));
		this.route('POST', '/router/hf-inference/models/:owner/:name/pipeline/feature-extraction', (ctx) => this.#serve(ctx, ['feature-extraction']));
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

	protected errorReply(status: number, message?: string): FakeReply {
		return { status, body: { error: message ?? ERRORS[status] ?? 'Error' } };
	}

	/** The shape the library's provider-mapping look-up reads (`inferenceProviderMapping`). */
	#modelInfo(ctx: RouteContext): FakeReply {
		const repo = `${ctx.params.owner}/${ctx.params.name}`;
		const task = this.models.get(repo);
		if (!task) return this.errorReply(404, 'Repository not found');
		return {
			status: 200,
			body: {
				_id: '65f0c0ffee0123456789abce',
				id: repo,
				inferenceProviderMapping: { 'hf-inference': { status: 'live', providerId: repo, task } }
			}
		};
	}

	async #serve(ctx: RouteContext, tasks: FakeHfTask[]): Promise<FakeReply> {
		const refused = this.#authenticate(ctx);
		if (refused) return refused;
		const repo = `${ctx.params.owner}/${ctx.params.name}`;
		const task = this.models.get(repo);
		if (!task || !tasks.includes(task)) return this.errorReply(404, `Model ${repo} does not exist`);
		const hook = this.#hooks.shift();
		if (hook === 'refuse') return this.errorReply(400, 'Input flagged as potential NSFW content by the safety checker');
		if (hook === 'malform') return { status: 200, body: { unexpected: 'shape' } };
		if (hook === 'loading') return { status: 503, body: { error: `Model ${repo} is currently loading`, estimated_time: 20 } };
		return this.#answer(task, repo, ctx);
	}

	#answer(task: FakeHfTask, repo: string, ctx: RouteContext): FakeReply {
		switch (task) {
			case 'image-to-text':
				return { status: 200, body: { generated_text: `a picture of ${ctx.rawBody.byteLength} bytes` } };
			case 'automatic-speech-recognition':
				return { status: 200, body: { text: ` words heard in ${ctx.rawBody.byteLength} bytes` } };
			case 'text-to-speech':
				return { status: 200, headers: { 'content-type': 'audio/wav' }, body: tinyWav() };
			case 'text-to-image':
			case 'image-to-image':
				return { status: 200, headers: { 'content-type': 'image/png', 'x-request-id': 'hf-req-1' }, body: tinyPng() };
			case 'conversational':
				return { status: 200, body: this.#chat(repo, ctx.body) };
			case 'feature-extraction':
				return { status: 200, body: this.#vector(ctx.body) };
		}
	}

	#chat(repo: string, body: string) {
		const { messages } = JSON.parse(body) as { messages: Array<{ role: string; content: string }> };
		const last = messages.at(-1)?.content ?? '';
		return {
			id: 'chatcmpl-fake',
			object: 'chat.completion',
			created: 1_700_000_000,
			model: repo,
			system_fingerprint: null,
			choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `<think>\n\n</think>\nAn answer to: ${last}` } }],
			usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }
		};
	}

	/** A deterministic vector per text, so equal texts embed equally. */
	#vector(body: string): number[] {
		const { inputs } = JSON.parse(body) as { inputs: string };
		let seed = 0;
		for (const c of inputs) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
		return Array.from({ length: this.dimensions }, (_, i) => Math.sin(seed + i));
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

function tinyPng(): Uint8Array {
	return encodePng({ width: 2, height: 2, rgb: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) });
}

function tinyWav(): Uint8Array {
	return encodeWav({ sampleRate: 8000, samples: new Float32Array(80).map((_, i) => Math.sin(i / 4) * 0.5) });
}

export async function startFakeHuggingFace(options: FakeHuggingFaceOptions): Promise<FakeHuggingFace> {
	return new FakeHuggingFace(options).start();
}
