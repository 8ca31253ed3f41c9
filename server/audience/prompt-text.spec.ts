import { describe, expect, test } from 'vitest';
import { blocklistMatcher, cleanPrompt, MAX_PROMPT_CHARS } from './prompt-text';

describe('cleanPrompt', () => {
	test('trims, turns line breaks into spaces and strips control and bidi characters', () => {
		expect(cleanPrompt('  a dream\nof the\tsea \u0000\u0007\u202e ')).toEqual({ ok: true, text: 'a dream of the sea' });
	});
	test('refuses empty text and text over the limit, counting code points', () => {
		expect(cleanPrompt(' \n\u0000 ').ok).toBe(false);
		expect(cleanPrompt('x'.repeat(MAX_PROMPT_CHARS))).toEqual({ ok: true, text: 'x'.repeat(500) });
		expect(cleanPrompt('x'.repeat(MAX_PROMPT_CHARS + 1)).ok).toBe(false);
		expect(cleanPrompt('🌊'.repeat(MAX_PROMPT_CHARS)).ok).toBe(true); // 1000 UTF-16 units, 500 characters
	});
});

describe('blocklistMatcher', () => {
	const blocked = blocklistMatcher(['ass', 'bad thing', 'c++']);
	test('matches whole words case-insensitively', () => {
		expect(blocked('what an ASS!')).toBe(true);
		expect(blocked('ass')).toBe(true);
		expect(blocked('a class of glass')).toBe(false);
		expect(blocked('assume')).toBe(false);
	});
	test('phrases match across any whitespace, and regex characters are literal', () => {
		expect(blocked('a Bad   Thing happened')).toBe(true);
		expect(blocked('a bad day, a thing')).toBe(false);
		expect(blocked('I write C++ daily')).toBe(true);
		expect(blocked('I write Cxx daily')).toBe(false);
	});
	test('full-width letters are folded before matching', () => {
		expect(blocked('ａｓｓ')).toBe(true);
	});
	test('an empty list blocks nothing', () => {
		expect(blocklistMatcher([])('anything')).toBe(false);
	});
});
