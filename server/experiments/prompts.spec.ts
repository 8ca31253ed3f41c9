import { describe, expect, it } from 'vitest';
import { ExperimentError } from './errors';
import { parsePrompts } from './prompts';

describe('parsePrompts', () => {
	it('takes one prompt per line, trimmed, skipping blank lines and # comments', () => {
		const text = '# prompts for Tuesday\n  a dream of the sea  \n\n\t\nred circle\n   # an indented comment\nthe quick brown fox\n';
		expect(parsePrompts(text)).toEqual(['a dream of the sea', 'red circle', 'the quick brown fox']);
	});

	it('keeps a # inside a prompt', () => {
		expect(parsePrompts('song #5 in C\n')).toEqual(['song #5 in C']);
	});

	it('reads Windows line endings and a byte-order mark', () => {
		expect(parsePrompts('\uFEFFone\r\ntwo\r\n')).toEqual(['one', 'two']);
	});

	it('keeps repeated prompts (each is its own set of runs)', () => {
		expect(parsePrompts('same\nsame\n')).toEqual(['same', 'same']);
	});

	it('refuses a file with no prompts, naming it', () => {
		expect(() => parsePrompts('# nothing here\n\n   \n', 'prompts.txt')).toThrow(ExperimentError);
		expect(() => parsePrompts('', 'prompts.txt')).toThrow('prompts.txt has no prompts');
	});

	it('refuses a prompt longer than a run accepts, with its line number', () => {
		expect(() => parsePrompts(`ok\n${'x'.repeat(10_001)}\n`, 'p.txt')).toThrow(/Line 2 of p\.txt/);
	});
});
