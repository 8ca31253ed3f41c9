import { describe, expect, test } from 'vitest';
import { PlatformError } from './platform';
import { acceptsValue, resolveParams } from './params';
import type { ParamSpec } from '../shared/platforms/types';

const specs: ParamSpec[] = [
	{ key: 'quality', label: 'Quality', kind: 'choice', options: ['low', 'medium', 'high'], default: 'low' },
	{ key: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 2, step: 0.1 },
	{ key: 'steps', label: 'Steps', kind: 'number', min: 1, max: 4, integer: true },
	{ key: 'system', label: 'System prompt', kind: 'text', maxLength: 10, multiline: true },
	{ key: 'fast', label: 'Go fast', kind: 'boolean' }
];

describe('resolveParams', () => {
	test('spec defaults, then the entry defaults, then the node; unknown keys dropped', () => {
		expect(resolveParams('M', specs, { temperature: 1 }, { quality: 'high', style: 'vivid', fast: false })).toEqual({ quality: 'high', temperature: 1, fast: false });
	});

	test('empty text and null fall back to the default', () => {
		expect(resolveParams('M', specs, { system: 'be brief' }, { system: '', quality: null })).toEqual({ quality: 'low', system: 'be brief' });
	});

	test('a bad value fails the step as invalid input, naming the setting and what it takes', () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ quality: 'hd' }, /“Quality”: it takes one of low, medium, high/],
			[{ temperature: 3 }, /“Temperature”: it takes a number from 0 to 2/],
			[{ steps: 2.5 }, /a whole number from 1 to 4/],
			[{ system: 'x'.repeat(11) }, /text of at most 10 characters/],
			[{ fast: 'yes' }, /true or false/]
		];
		for (const [params, message] of cases) {
			try {
				resolveParams('Model', specs, {}, params);
				expect.unreachable();
			} catch (error) {
				expect(error).toBeInstanceOf(PlatformError);
				expect((error as PlatformError).kind).toBe('invalid_input');
				expect((error as Error).message).toMatch(message);
			}
		}
	});

	test('a model without specs takes nothing', () => {
		expect(resolveParams('M', undefined, { a: 1 }, { b: 2 })).toEqual({});
		expect(acceptsValue(specs[1], Number.NaN)).toBe(false);
	});
});
