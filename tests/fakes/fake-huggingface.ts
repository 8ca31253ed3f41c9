/**
 * A fake of the Hugging Face Hub API (https://huggingface.co), for tests.
 *
 * Point the clients at it with `{ hfBaseUrl: fake.url }`: the Hub library uses it
 * as `hubUrl`, and the inference client factory sends router traffic
 * (https://router.huggingface.co/...) to `<hfBaseUrl>/router/...`, so inference
 * task routes go in this same route table later, e.g.
 * `this.route('POST', '/router/hf-inference/models/:owner/:name', ...)`.
 *
 * Errors use the Hub's body `{ error: "..." }` with a JSON content type, which
 * `@huggingface/hub` turns into a `HubApiError`.
 *
 * Routes now: GET /api/whoami-v2.
 */
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';

export interface FakeHuggingFaceOptions {
	/** Access tokens the fake accepts (real ones start with `hf_`). */
	keys: string[];
	/** User name returned by whoami. */
	name?: string;
}

const ERRORS: Record<number, string> = {
	401: 'Invalid credentials in Authorization header',
	403: 'Forbidden',
	404: 'Not Found',
	429: 'You have exceeded our hourly quotas for action: api. Retry later.',
	500: 'Internal Error - We\'re working hard to fix this as soon as possible!'
};

export class FakeHuggingFace extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly userName: string;

	constructor(options: FakeHuggingFaceOptions) {
		super();
		this.keys = new Set(options.keys);
		this.userName = options.name ?? 'panic-tester';

		this.route('GET', '/api/whoami-v2', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.#whoami() });
	}

	/** What to pass as `hfBaseUrl` (the Hub's real origin is `https://huggingface.co`). */
	get baseUrl(): string {
		return this.url;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		return { status, body: { error: message ?? ERRORS[status] ?? 'Error' } };
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

export async function startFakeHuggingFace(options: FakeHuggingFaceOptions): Promise<FakeHuggingFace> {
	return new FakeHuggingFace(options).start();
}
