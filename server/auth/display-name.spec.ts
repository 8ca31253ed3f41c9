import { describe, expect, test } from 'vitest';
import { displayName, displayNameSchema } from './display-name';

describe('displayName', () => {
	test('the chosen name, or a default from the id that says nothing of the email', () => {
		expect(displayName({ id: 'k7qxabcdefgh', display_name: 'Ada' })).toBe('Ada');
		expect(displayName({ id: 'k7qxabcdefgh', display_name: null })).toBe('Person K7QX');
	});
});

describe('displayNameSchema', () => {
	test.each([
		['Ada', 'Ada'],
		['  Studio 3 ', 'Studio 3'],
		['Zoë O’Brien-Łukasz', 'Zoë O’Brien-Łukasz'],
		['池田', '池田']
	])('accepts %j as %j', (input, output) => {
		expect(displayNameSchema.parse(input)).toBe(output);
	});
	test.each(['', '   ', 'x'.repeat(61), 'a\nb', 'tab\there', 'evil\u202egnp.exe', 'nul\u0000'])('refuses %j', (input) => {
		expect(displayNameSchema.safeParse(input).success).toBe(false);
	});
});
