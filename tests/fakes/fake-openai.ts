/**
 * A fake of OpenAI's HTTP API (https://api.openai.com/v1), for tests.
 *
 * Point the official client at it with `createOpenAIClient(key, { openaiBaseUrl: fake.baseUrl })`.
 * Errors use OpenAI's body `{ error: { message, type, param, code } }`; like the
 * real API, the 401 message echoes a redacted form of the key, which is why
 * PANIC never shows provider error text to users verbatim.
 *
 * Routes now: GET /v1/models. Chat completions, images and audio go in the same
 * route table later: `this.route('POST', '/v1/chat/completions', ...)`.
 */
import { randomBytes } from 'node:crypto';
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';

export interface FakeOpenAIModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
}

export interface FakeOpenAIOptions {
	/** API keys the fake accepts. */
	keys: string[];
	/** Models listed by GET /v1/models. */
	models?: string[];
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-image-1', 'dall-e-3', 'whisper-1', 'tts-1'];

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
	readonly models: FakeOpenAIModel[];

	constructor(options: FakeOpenAIOptions) {
		super();
		this.keys = new Set(options.keys);
		this.models = (options.models ?? DEFAULT_MODELS).map((id, i) => ({
			id,
			object: 'model' as const,
			created: 1_700_000_000 + i,
			owned_by: id.startsWith('gpt') ? 'system' : 'openai'
		}));

		this.route('GET', '/v1/models', (ctx) => this.#authenticate(ctx) ?? this.#ok({ object: 'list', data: this.models }));
	}

	/** What to pass as the client's base URL (the real default is `https://api.openai.com/v1`). */
	get baseUrl(): string {
		return `${this.url}/v1`;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		const known = ERRORS[status] ?? { type: 'server_error', code: null, message: 'Unexpected error.' };
		return {
			status,
			headers: { 'x-request-id': `req_${randomBytes(16).toString('hex')}` },
			body: { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } }
		};
	}

	#ok(body: unknown): FakeReply {
		return { status: 200, headers: { 'x-request-id': `req_${randomBytes(16).toString('hex')}` }, body };
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
