/**
 * A fake of Replicate's HTTP API (https://api.replicate.com/v1), for tests.
 *
 * Point the official client at it with `createReplicateClient(key, { replicateBaseUrl: fake.baseUrl })`.
 * Errors use Replicate's problem-details body `{ title, detail, status }`
 * (content type `application/problem+json`), as the real API sends them.
 *
 * Routes now: GET /v1/account. Predictions (create/get/cancel) go in the same
 * route table later: `this.route('POST', '/v1/predictions', ...)`.
 */
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';

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
}

const TITLES: Record<number, string> = {
	401: 'Unauthenticated',
	403: 'Forbidden',
	404: 'Not found',
	429: 'Request was throttled',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable'
};

const DETAILS: Record<number, string> = {
	401: 'You did not pass a valid authentication token',
	429: 'Request was throttled. Expected available in 1 second.',
	500: 'An unexpected error occurred.'
};

export class FakeReplicate extends FakeHttpServer {
	readonly keys: Set<string>;
	readonly account: FakeReplicateAccount;

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

		this.route('GET', '/v1/account', (ctx) => this.#authenticate(ctx) ?? { status: 200, body: this.account });
	}

	/** What to pass as the client's base URL (the real default is `https://api.replicate.com/v1`). */
	get baseUrl(): string {
		return `${this.url}/v1`;
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
}

export async function startFakeReplicate(options: FakeReplicateOptions): Promise<FakeReplicate> {
	return new FakeReplicate(options).start();
}
