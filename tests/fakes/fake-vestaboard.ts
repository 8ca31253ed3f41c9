/**
 * A fake of the Vestaboard Read/Write API (https://rw.vestaboard.com/), for tests: POST /
 * with `X-Vestaboard-Read-Write-Key` and a 6×22 array of character codes (or `{text}`)
 * writes the board; GET / reads it back as `{ currentMessage: { layout } }`, where the
 * layout is the JSON of the rows, like the real API. One board per key.
 */
import { FakeHttpServer, type FakeReply, type RouteContext } from './http';

export class FakeVestaboard extends FakeHttpServer {
	/** What each board shows now, by key. */
	readonly boards = new Map<string, number[][]>();

	constructor(readonly keys: string[]) {
		super();
		this.route('POST', '/', (ctx) => this.#write(ctx));
		this.route('GET', '/', (ctx) => {
			const key = this.#key(ctx);
			if (!key) return this.errorReply(401);
			return { status: 200, body: { currentMessage: { layout: JSON.stringify(this.boards.get(key) ?? null), id: 'm' } } };
		});
	}

	get baseUrl(): string {
		return `${this.url}/`;
	}

	protected errorReply(status: number, message?: string): FakeReply {
		return { status, body: { message: message ?? (status === 401 ? 'Unauthorized' : 'Error') } };
	}

	#key(ctx: RouteContext): string | undefined {
		const key = ctx.headers['x-vestaboard-read-write-key'];
		return typeof key === 'string' && this.keys.includes(key) ? key : undefined;
	}

	#write(ctx: RouteContext): FakeReply {
		const key = this.#key(ctx);
		if (!key) return this.errorReply(401);
		let body: unknown;
		try {
			body = JSON.parse(ctx.body);
		} catch {
			return this.errorReply(400, 'Invalid JSON');
		}
		const valid =
			Array.isArray(body) &&
			body.length === 6 &&
			body.every((row) => Array.isArray(row) && row.length === 22 && row.every((c) => Number.isInteger(c) && c >= 0 && c <= 71));
		if (!valid) return this.errorReply(400, 'Expected a 6x22 array of character codes');
		this.boards.set(key, body as number[][]);
		return { status: 200, body: { status: 'ok', id: `m-${this.requests.length}`, created: Date.now() } };
	}
}

export async function startFakeVestaboard(keys: string[]): Promise<FakeVestaboard> {
	return new FakeVestaboard(keys).start();
}
