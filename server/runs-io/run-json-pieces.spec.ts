import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { PIECE_BOUNDS, splitRunJson, type PieceBounds } from './run-json-pieces';

const bounds: PieceBounds = { ...PIECE_BOUNDS, maxInvocations: 100_000 };
const bytes = (text: string) => Buffer.from(text);

/** Splits, then parses the pieces back: the head (with `invocations: []`) and every invocation. */
async function roundTrip(text: string, b = bounds) {
	const source = bytes(text);
	const pieces = await splitRunJson(source, b);
	return {
		// As the import decodes it: TextDecoder drops a byte-order mark.
		head: JSON.parse(new TextDecoder().decode(pieces.head)) as Record<string, unknown>,
		invocations: pieces.invocations?.map(([start, end]) => JSON.parse(source.subarray(start, end).toString()) as unknown) ?? null
	};
}

async function refusal(text: string, b = bounds): Promise<AppError> {
	const error = await splitRunJson(bytes(text), b).then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(AppError);
	return error as AppError;
}

const tricky = [
	{ seq: 1, input: { kind: 'text', text: 'a "quoted" word, a \\ backslash, "invocations": [1, 2]' }, output: { kind: 'text', text: '}]{[,:' } },
	{ seq: 2, input: { kind: 'text', text: 'ünïcödé ✓ 🌊 \u0000 \n\t' }, output: null, metrics: { a: 1, nested: [[1, [2]], { b: [] }] } },
	{ seq: 3, input: { kind: 'text', text: '\\' }, output: { kind: 'text', text: '\\"' } },
	[],
	'a string element',
	42,
	null
];

describe('splitRunJson', () => {
	const doc = { format: 'panic-run', version: 1, run: { networkName: 'x [y] {z}', invocations: ['not', 'this', 'one'] }, invocations: tricky, exportedAt: 'later' };

	test.each([
		['compact', JSON.stringify(doc)],
		['tab-indented, as the export writes it', JSON.stringify(doc, null, '\t')],
		['CRLF and spaces', JSON.stringify(doc, null, 2).replace(/\n/g, '\r\n')],
		['invocations first', JSON.stringify({ invocations: tricky, format: 'panic-run' })],
		['invocations last, with a BOM', `\ufeff${JSON.stringify({ format: 'panic-run', invocations: tricky })}`],
		['odd spacing around the list', '{ "format" : "panic-run" ,\n "invocations"\n :\n [ 1 , {"a":[]}\n,\t"s" ] , "z": {} }']
	])('%s: the head and every invocation come back as they were', async (_what, text) => {
		const parsed = JSON.parse(text.replace(/^\ufeff/, '')) as Record<string, unknown>;
		const { head, invocations } = await roundTrip(text);
		expect(head).toEqual({ ...parsed, invocations: [] });
		expect(invocations).toEqual(parsed.invocations);
	});

	test('an empty list has no pieces', async () => {
		expect(await roundTrip('{"format":"panic-run","invocations":[ ]}')).toEqual({ head: { format: 'panic-run', invocations: [] }, invocations: [] });
	});

	test.each([
		['no invocations at all', '{"format":"panic-run"}'],
		['invocations that are not a list', '{"format":"panic-run","invocations":{"0":{}}}'],
		['a list only deeper down', '{"run":{"invocations":[1,2]}}'],
		['the key spelt with an escape', '{"invocation\\u0073":[1,2]}'],
		['a top level that is a list', '[{"invocations":[1]}]'],
		['a key that only looks like it', '{"invocationsX":[1], "x": "\\"invocations\\": [2]"}']
	])('%s: the whole document is the head', async (_what, text) => {
		const pieces = await splitRunJson(bytes(text), bounds);
		expect(pieces.invocations).toBeNull();
		expect(Buffer.from(pieces.head).toString()).toBe(text);
	});

	test('splits a document many slices long, strings and all', async () => {
		const long = Array.from({ length: 4000 }, (_, i) => ({ seq: i + 1, text: `${'"{[,]}\\'.repeat(100)} ${i}` }));
		const text = JSON.stringify({ format: 'panic-run', invocations: long }, null, '\t');
		expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
		expect((await roundTrip(text)).invocations).toEqual(long);
	});

	test.each([
		['"invocations" twice', '{"invocations":[1],"invocations":[2]}', 400, /"invocations" twice/],
		['an empty element', '{"invocations":[1,,2]}', 400, /empty element/],
		['a trailing comma', '{"invocations":[1,2,]}', 400, /empty element/],
		['a leading comma', '{"invocations":[,1]}', 400, /empty element/]
	])('refuses %s', async (_what, text, status, message) => {
		const error = await refusal(text);
		expect(error.status).toBe(status);
		expect(error.message).toMatch(message);
	});

	const small: PieceBounds = { headBytes: 100, headValues: 10, invocationBytes: 50, invocationValues: 5, maxInvocations: 3 };
	test.each([
		['a head with too many values', `{"a":[${'0,'.repeat(10)}0],"invocations":[]}`, /run\.json's run .* is larger than a run export's/],
		['a head with too many bytes', `{"a":"${'x'.repeat(100)}","invocations":[]}`, /run\.json's run .* is larger than a run export's/],
		['an invocation with too many values', `{"invocations":[{},[[[[[[]]]]]]]}`, /Invocation 1 of run\.json is larger than any a run records/],
		['an invocation with too many bytes', `{"invocations":[{},"${'x'.repeat(50)}"]}`, /Invocation 1 of run\.json is larger/],
		['too many invocations', '{"invocations":[1,2,3,4]}', /more than 3 invocations; an import takes at most 3/],
		['a document without its list beyond the head bound', `{"x":"${'y'.repeat(200)}"`, /ends early, or has no "invocations" list/]
	])('refuses %s before parsing anything', async (_what, text, message) => {
		const error = await refusal(text, small);
		expect([400, 413]).toContain(error.status);
		expect(error.message).toMatch(message);
	});

	test('within the bounds, the same document passes', async () => {
		expect((await roundTrip('{"invocations":[{},[[[]]],"ok"]}', small)).invocations).toEqual([{}, [[[]]], 'ok']);
	});
});
