/**
 * Shared machinery for the fake provider servers (Replicate, OpenAI, Hugging Face).
 *
 * A fake is a real HTTP server on 127.0.0.1 with a random port, so the official
 * clients talk to it exactly as they talk to the real provider: same routes, same
 * headers, same status codes. Tests point a client at `fake.url` (or the provider's
 * base URL under it) and then inspect `fake.requests`.
 *
 * Each provider fake registers its routes in a small route table (`method` +
 * `/path/:param` pattern). Adding a provider route later (predictions, chat
 * completions, images, audio, HF tasks) is one `this.route(...)` call.
 *
 * Failure injection is queued and consumed by the next matching request:
 *   fake.failNext(429, { headers: { 'retry-after': '3' } })  // any route
 *   fake.failNext(500, { route: 'GET /v1/account' })          // one route only
 *   fake.delayNext(2_000)                                     // slow response
 * A delay and a failure can be combined (slow, then failing).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it (headers are lower-cased by Node). */
export interface RecordedRequest {
	method: string;
	/** Path without the query string, e.g. `/v1/account`. */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	/** Raw request body (empty string when there was none). */
	body: string;
	/** The same body as bytes, for binary uploads the utf8 `body` would corrupt. */
	rawBody: Buffer;
	/** When the whole request had arrived (Date.now()), for timing retries. */
	receivedAt: number;
}

/** What a route (or an injected failure) answers. */
export interface FakeReply {
	status: number;
	headers?: Record<string, string>;
	/** A string or Uint8Array is sent as is; anything else is sent as JSON. */
	body?: unknown;
}

export interface RouteContext extends RecordedRequest {
	/** Values of `:name` segments in the route pattern. */
	params: Record<string, string>;
	/** The `Authorization: Bearer <token>` (or `Token <token>`) value, if any. */
	bearer: string | undefined;
}

export type RouteHandler = (ctx: RouteContext) => FakeReply | Promise<FakeReply>;

/** Options for `failNext` and `delayNext`. */
export interface FaultOptions {
	/** Only apply to this route, written as `'GET /v1/account'` (the registered pattern). */
	route?: string;
	/** How many consecutive matching requests this applies to (default 1). */
	times?: number;
}

interface Route {
	key: string;
	method: string;
	segments: string[];
	handler: RouteHandler;
}

interface Fault {
	route?: string;
	remaining: number;
	reply?: FakeReply;
	delayMs?: number;
}

/** Splits a path into segments, ignoring leading/trailing slashes. */
function segmentsOf(path: string): string[] {
	return path.split('/').filter((s) => s.length > 0);
}

/** Matches `/v1/predictions/:id` against `/v1/predictions/abc` → `{ id: 'abc' }`. */
function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
	if (pattern.length !== actual.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		const p = pattern[i];
		if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(actual[i]);
		else if (p !== actual[i]) return undefined;
	}
	return params;
}

/** Reads `Authorization: Bearer x` (and Replicate's older `Token x`). */
function bearerOf(headers: IncomingHttpHeaders): string | undefined {
	const match = /^(?:Bearer|Token)\s+(.+)$/i.exec(headers.authorization ?? '');
	return match?.[1].trim();
}

/**
 * Base class of every fake provider. Subclasses register routes in their
 * constructor and override `errorReply` so injected failures and 404s use the
 * provider's real error body shape.
 */
export abstract class FakeHttpServer {
	/** Every request received, in order, including ones answered by injected faults. */
	readonly requests: RecordedRequest[] = [];
	/** Requests whose client hung up before a delayed reply was sent (an aborted call). */
	readonly abandoned: RecordedRequest[] = [];
	#routes: Route[] = [];
	#faults: Fault[] = [];
	#delays: Fault[] = [];
	#timers = new Set<NodeJS.Timeout>();
	#server: Server | undefined;
	#url: string | undefined;

	/** Origin of the running fake, e.g. `http://127.0.0.1:41234` (no trailing slash). */
	get url(): string {
		if (!this.#url) throw new Error('Fake server is not started; call start() first');
		return this.#url;
	}

	/** Registers a route; `pattern` may contain `:name` segments. */
	protected route(method: string, pattern: string, handler: RouteHandler): void {
		const key = `${method.toUpperCase()} ${pattern}`;
		this.#routes.push({ key, method: method.toUpperCase(), segments: segmentsOf(pattern), handler });
	}

	/** The provider's error body for a status, used by `failNext` and unknown routes. */
	protected abstract errorReply(status: number, message?: string): FakeReply;

	/** The next matching request gets `status` (with the provider's error body unless `body` is given). */
	failNext(status: number, options: FaultOptions & { headers?: Record<string, string>; body?: unknown } = {}): void {
		const base = options.body === undefined ? this.errorReply(status) : { status, body: options.body };
		this.#faults.push({
			route: options.route,
			remaining: options.times ?? 1,
			reply: { ...base, status, headers: { ...base.headers, ...options.headers } }
		});
	}

	/** The next matching request is answered only after `ms` milliseconds (headers included). */
	delayNext(ms: number, options: FaultOptions = {}): void {
		this.#delays.push({ route: options.route, remaining: options.times ?? 1, delayMs: ms });
	}

	/** Requests received on one route path, e.g. `fake.requestsTo('/v1/account')`. */
	requestsTo(path: string): RecordedRequest[] {
		return this.requests.filter((r) => r.path === path);
	}

	async start(): Promise<this> {
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const parsed = new URL(req.url ?? '/', 'http://fake.invalid');
				const rawBody = Buffer.concat(chunks);
				const recorded: RecordedRequest = {
					method: req.method ?? 'GET',
					path: parsed.pathname,
					query: parsed.searchParams,
					headers: req.headers,
					body: rawBody.toString('utf8'),
					rawBody,
					receivedAt: Date.now()
				};
				this.requests.push(recorded);
				this.#handle(recorded, res).catch((err: unknown) => {
					// A bug in a fake must show up as a 500 in the test, not hang it.
					if (!res.headersSent && !res.destroyed) {
						this.#send(res, { status: 500, body: { fakeError: String(err) } });
					}
				});
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		const { port } = server.address() as AddressInfo;
		this.#server = server;
		this.#url = `http://127.0.0.1:${port}`;
		return this;
	}

	/** Stops the server, dropping open connections and pending delayed replies. */
	async close(): Promise<void> {
		for (const t of this.#timers) clearTimeout(t);
		this.#timers.clear();
		const server = this.#server;
		if (!server) return;
		this.#server = undefined;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	async #handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
		const found = this.#findRoute(req);
		const routeKey = found?.route.key;

		const delay = this.#take(this.#delays, routeKey);
		if (delay?.delayMs) {
			const stillOpen = await this.#sleepUnlessClosed(delay.delayMs, res);
			if (!stillOpen) {
				this.abandoned.push(req); // the client gave up (timeout/abort); nothing to answer
				return;
			}
		}

		const fault = this.#take(this.#faults, routeKey);
		if (fault?.reply) return this.#send(res, fault.reply);

		if (!found) return this.#send(res, this.errorReply(404, `No route for ${req.method} ${req.path}`));
		const reply = await found.route.handler({ ...req, params: found.params, bearer: bearerOf(req.headers) });
		this.#send(res, reply);
	}

	#findRoute(req: RecordedRequest): { route: Route; params: Record<string, string> } | undefined {
		const actual = segmentsOf(req.path);
		for (const route of this.#routes) {
			if (route.method !== req.method) continue;
			const params = matchSegments(route.segments, actual);
			if (params) return { route, params };
		}
		return undefined;
	}

	/** Consumes the first queued fault that applies to this route (or to any route). */
	#take(queue: Fault[], routeKey: string | undefined): Fault | undefined {
		const index = queue.findIndex((f) => f.route === undefined || f.route === routeKey);
		if (index < 0) return undefined;
		const fault = queue[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) queue.splice(index, 1);
		return fault;
	}

	/** Resolves true after `ms`, or false as soon as the client closes the connection. */
	#sleepUnlessClosed(ms: number, res: ServerResponse): Promise<boolean> {
		return new Promise((resolve) => {
			const onClose = () => {
				clearTimeout(timer);
				this.#timers.delete(timer);
				resolve(false);
			};
			const timer = setTimeout(() => {
				this.#timers.delete(timer);
				res.off('close', onClose);
				resolve(!res.destroyed);
			}, ms);
			this.#timers.add(timer);
			res.once('close', onClose);
		});
	}

	#send(res: ServerResponse, reply: FakeReply): void {
		if (res.destroyed) return;
		const headers: Record<string, string> = { ...reply.headers };
		let payload: string | Uint8Array = '';
		if (typeof reply.body === 'string' || reply.body instanceof Uint8Array) {
			payload = reply.body;
		} else if (reply.body !== undefined) {
			payload = JSON.stringify(reply.body);
			if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
				headers['content-type'] = 'application/json; charset=utf-8';
			}
		}
		res.writeHead(reply.status, headers);
		res.end(payload);
	}
}
