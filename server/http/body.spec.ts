import { expect, test } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors';
import { readBytes, readJson } from './body';

const schema = z.object({ name: z.string().min(1) });
const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
	new Request('http://x/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

async function failure(promise: Promise<unknown>): Promise<AppError> {
	const error: unknown = await promise.catch((e) => e);
	expect(error).toBeInstanceOf(AppError);
	return error as AppError;
}

test('parses and validates JSON', async () => {
	expect(await readJson(post('{"name":"loop"}'), schema, 1000)).toEqual({ name: 'loop' });
});

test('malformed JSON is a 400 that says so', async () => {
	const error = await failure(readJson(post('{"name":'), schema, 1000));
	expect(error.status).toBe(400);
	expect(error.message).toMatch(/^Malformed JSON/);
});

test('schema failures are 400 with the field named and details', async () => {
	const error = await failure(readJson(post('{"name":""}'), schema, 1000));
	expect(error.status).toBe(400);
	expect(error.message).toMatch(/^name: /);
	expect(error.details).toMatchObject({ fieldErrors: { name: [expect.any(String)] } });
});

test('a declared or streamed body over the limit is a 413', async () => {
	expect((await failure(readJson(post('x'.repeat(2000)), schema, 1000))).status).toBe(413);
	const chunked = new ReadableStream({
		start(controller) {
			for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(400)));
			controller.close();
		}
	});
	expect((await failure(readJson(post(chunked), schema, 1000))).status).toBe(413);
});

test('a body that is not JSON by content type is a 415', async () => {
	expect((await failure(readJson(post('{}', { 'content-type': 'text/plain' }), schema, 1000))).status).toBe(415);
});

test('raw bytes arrive whole, with or without a declared length', async () => {
	const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
	const chunks = (size: number) =>
		new ReadableStream({
			start(controller) {
				for (let at = 0; at < bytes.byteLength; at += size) controller.enqueue(bytes.slice(at, at + size));
				controller.close();
			}
		});
	const declared = post(chunks(65_536), { 'content-length': String(bytes.byteLength) });
	const same = (read: Uint8Array) => Buffer.from(read).equals(Buffer.from(bytes));
	expect(same(await readBytes(declared, 1_000_000, 'too large'))).toBe(true);
	expect(same(await readBytes(post(chunks(10_000), {}), 1_000_000, 'too large'))).toBe(true);
	const lying = await failure(readBytes(post(chunks(65_536), { 'content-length': '1000' }), 1_000_000, 'too large'));
	expect(lying.status).toBe(400);
});
