import { describe, expect, it } from 'vitest';
import { PlatformError } from '../platform';
import { problemOf, replicateErrorFrom, retryAfterSeconds } from './errors';

/** An error the way replicate 1.4 throws it: the body read into the message, the response consumed. */
function apiError(status: number, body: unknown, headers: Record<string, string> = {}): Error {
	const response = new Response(null, { status, headers });
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const error = new Error(`Request to https://api.replicate.com/v1/predictions failed with status ${status} Whatever: ${text}.`);
	error.name = 'ApiError';
	Object.assign(error, { request: new Request('https://api.replicate.com/v1/predictions'), response });
	return error;
}

const gone = (error: unknown) => error as PlatformError;

describe('Replicate errors', () => {
	it('reads the problem body out of the message replicate 1.4 leaves', () => {
		expect(problemOf(apiError(402, { title: 'Billing required', detail: 'x {y}', status: 402 }))).toEqual({ title: 'Billing required', detail: 'x {y}', status: 402 });
		expect(problemOf(apiError(502, '<html>bad gateway</html>'))).toBeUndefined();
		expect(problemOf(new Error('{"a":1}'))).toBeUndefined();
	});

	it.each([
		['the header first', apiError(429, { retry_after: 9, detail: 'resets in ~30s' }, { 'retry-after': '4' }), 4],
		['else the body’s retry_after', apiError(429, { detail: 'Request was throttled', retry_after: 2 }), 2],
		['else “~30s” in detail', apiError(429, { detail: 'Request was throttled. Your rate limit resets in ~30s.', status: 429 }), 30],
		['else “in 1 second” in detail', apiError(429, { detail: 'Request was throttled. Expected available in 1 second.' }), 1],
		['else nothing', apiError(429, { detail: 'Request was throttled' }), undefined]
	])('a 429 waits as asked: %s', (_, error, seconds) => {
		expect(retryAfterSeconds(error)).toBe(seconds);
		const e = gone(replicateErrorFrom(error, { ref: 'a/b', call: 'create' }));
		expect(e.kind).toBe('rate_limited');
		expect(e.retryAfterMs).toBe(seconds === undefined ? undefined : seconds * 1000);
	});

	it.each([
		['Billing required', 'You need to set up billing to run this model. Go to https://replicate.com/account/billing#billing to set it up.'],
		['Insufficient credit', 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.']
	])('a 402 “%s” is no_credit, stops the run and says so in PANIC’s words', (title, detail) => {
		const e = gone(replicateErrorFrom(apiError(402, { title, detail, status: 402 }), { ref: 'a/b', call: 'create' }));
		expect(e.kind).toBe('no_credit');
		expect(e.stopsRun).toBe(true);
		expect(e.retryable).toBe(false);
		expect(e.message).toMatch(/^The network owner's Replicate account has no credit, or billing is not set up for it \(402\)/);
		expect(e.message).not.toContain(detail);
	});

	it('a 404 on create or lookup, and 422 “Invalid version”, mean the model is gone; a 422 on input does not', () => {
		const notFound = apiError(404, { detail: 'The requested resource could not be found.', status: 404 });
		expect(gone(replicateErrorFrom(notFound, { ref: 'a/b', call: 'create' }))).toMatchObject({ kind: 'model_gone', message: 'Replicate no longer serves a/b.' });
		expect(gone(replicateErrorFrom(notFound, { ref: 'a/b', call: 'lookup' })).kind).toBe('model_gone');
		expect(gone(replicateErrorFrom(notFound, { ref: 'a/b', call: 'poll' })).kind).toBe('invalid_input');
		const version = apiError(422, {
			title: 'Invalid version or not permitted',
			detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
			status: 422
		});
		const e = gone(replicateErrorFrom(version, { ref: 'a/b', call: 'create' }));
		expect(e.kind).toBe('model_gone');
		expect(e.message).toMatch(/^Replicate no longer serves a\/b/);
		const input = apiError(422, { title: 'Input validation failed', detail: '- input.output_format: must be one of jpg, png', status: 422 });
		expect(gone(replicateErrorFrom(input, { ref: 'a/b', call: 'create' })).kind).toBe('invalid_input');
	});
});
