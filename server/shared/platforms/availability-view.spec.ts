import { describe, expect, test } from 'vitest';
import { retiredReason, retiresSoon, unavailableMessage } from './availability-view';

const now = Date.parse('2026-11-01T12:00:00Z');

describe('availability wording', () => {
	test('a shutdown date that has come makes a model unavailable; one within 60 days is noted', () => {
		expect(retiredReason({ retires: '2026-10-23' }, now)).toBe('shut down on 2026-10-23');
		expect(retiredReason({ retires: '2027-01-10' }, now)).toBeUndefined();
		expect(retiredReason({}, now)).toBeUndefined();
		expect(retiresSoon({ retires: '2026-12-20' }, now)).toBe(true);
		expect(retiresSoon({ retires: '2027-02-20' }, now)).toBe(false);
		expect(retiresSoon({ retires: '2026-10-23' }, now)).toBe(false); // gone, not ending
	});

	test('the preflight message names each model and why, one sentence each', () => {
		expect(
			unavailableMessage([
				{ id: 'openai/gpt-image-1', name: 'GPT Image 1', reason: 'OpenAI no longer serves gpt-image-1 (shut down 2026-10-23)' },
				{ id: 'openai/dall-e-3', name: 'DALL·E 3', reason: 'shut down on 2026-05-12.' }
			])
		).toBe(
			'GPT Image 1 (openai/gpt-image-1) is not available: OpenAI no longer serves gpt-image-1 (shut down 2026-10-23). DALL·E 3 (openai/dall-e-3) is not available: shut down on 2026-05-12.'
		);
	});
});
