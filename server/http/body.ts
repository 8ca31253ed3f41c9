import { z } from 'zod';
import { AppError, badRequest } from '../errors';

/**
 * Reads a JSON request body within `maxBytes`, parses it and validates it against `schema`.
 * Every failure is an AppError with a message that says what to fix: 413 too large,
 * 415 not JSON, 400 malformed or invalid (with the failing fields in `details`).
 */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, maxBytes: number): Promise<z.infer<S>> {
	const type = request.headers.get('content-type') ?? '';
	if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
		throw new AppError(415, 'Send the body as JSON with Content-Type: application/json.');
	}
	const text = Buffer.from(await readBytes(request, maxBytes, `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`)).toString('utf8');
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		throw badRequest(`Malformed JSON: ${(error as Error).message}`);
	}
	return validate(schema, data);
}

/**
 * Validates already-parsed input (query strings, form fields) the same way. `at` is where
 * `data` sits in a larger document read a piece at a time, for the error's path.
 */
export function validate<S extends z.ZodType>(schema: S, data: unknown, at: ReadonlyArray<string | number> = []): z.infer<S> {
	const result = schema.safeParse(data);
	if (!result.success) {
		const first = result.error.issues[0];
		const path = [...at, ...(first?.path ?? [])].map(String);
		const where = path.length ? `${path.join('.')}: ` : '';
		throw badRequest(`${where}${first?.message ?? 'Invalid input.'}`, z.flattenError(result.error));
	}
	return result.data;
}

/** A request body's bytes, at most `maxBytes`; beyond that a 413 with `tooLargeMessage`. */
export async function readBytes(request: Request, maxBytes: number, tooLargeMessage: string): Promise<Uint8Array> {
	const tooLarge = () => new AppError(413, tooLargeMessage);
	const declared = Number(request.headers.get('content-length'));
	if (declared > maxBytes) throw tooLarge();
	if (!request.body) return new Uint8Array(0);
	// Count bytes as they arrive, since Content-Length may be absent (chunked) or wrong.
	const reader = request.body.getReader();
	// With a length, each chunk is copied into place as it comes: joining a 200 MB upload at
	// the end would be one copy long enough to stall every other request.
	const into = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		if (size + value.byteLength > (into?.byteLength ?? maxBytes)) {
			await reader.cancel().catch(() => {});
			throw size + value.byteLength > maxBytes ? tooLarge() : badRequest('The body is longer than its Content-Length.');
		}
		if (into) into.set(value, size);
		else chunks.push(value);
		size += value.byteLength;
	}
	return into ? into.subarray(0, size) : Buffer.concat(chunks);
}

/** Query parameters as an object for `validate`; empty values (an "any" choice in a GET form) are left out. */
export function queryObject(url: URL): Record<string, string> {
	return Object.fromEntries([...url.searchParams].filter(([, value]) => value !== ''));
}
