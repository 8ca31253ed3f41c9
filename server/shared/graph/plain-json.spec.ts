import { describe, expect, test } from 'vitest';
import { plainJsonObjectProblem } from './plain-json';

const limits = { maxBytes: 256, maxDepth: 3 };
const problem = (value: unknown) => plainJsonObjectProblem(value, limits);

describe('plainJsonObjectProblem', () => {
	test.each([
		['an empty object', {}],
		['model settings', { num_inference_steps: 4, guidance: 0.5, negative_prompt: 'blurry', seed: null, go_fast: true }],
		['arrays and nesting to the depth limit', { a: [1, 'two', { b: false }] }],
		['an object without a prototype', Object.assign(Object.create(null), { a: 1 })],
		['a key that merely contains a reserved word', { my_constructor: 1, proto: 2 }]
	])('accepts %s', (_name, value) => {
		expect(problem(value)).toBeNull();
	});

	test.each([
		['a string', 'steps=4', /must be a JSON object/],
		['an array', [1, 2], /must be a JSON object/],
		['null', null, /must be a JSON object/],
		['constructor at the top', JSON.parse('{"constructor": "x"}'), /reserved key "constructor"/],
		['__proto__ as JSON.parse leaves it (an own key)', JSON.parse('{"__proto__": {"polluted": true}}'), /reserved key "__proto__"/],
		['prototype deeper down', { a: [{ prototype: 1 }] }, /reserved key "prototype"/],
		['an object whose prototype was swapped', { a: Object.setPrototypeOf({}, { evil: true }) }, /a is not plain JSON data/],
		['a class instance', { when: new Date(0) }, /when is not plain JSON data/],
		['a function', { f: () => 1 }, /f is not plain JSON data/],
		['NaN', { a: { b: Number.NaN } }, /a\.b is not a finite number/],
		['Infinity in an array', { a: [Number.POSITIVE_INFINITY] }, /a\[0\] is not a finite number/],
		['nesting past the limit', { a: { b: { c: { d: 1 } } } }, /nest deeper than 3 levels/],
		['more bytes than allowed', { text: 'x'.repeat(300) }, /are 311 bytes as JSON; at most 256/],
		['bytes counted as UTF-8', { text: '€'.repeat(90) }, /are 281 bytes/]
	])('refuses %s', (_name, value, message) => {
		expect(problem(value)).toMatch(message);
	});

	test('a cycle cannot loop forever: it runs into the depth limit', () => {
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(problem(cyclic)).toMatch(/nest deeper/);
	});
});
