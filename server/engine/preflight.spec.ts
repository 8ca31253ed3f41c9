import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../shared/platforms/types';
import { hostedPlatformsOf, missingKeysMessage, platformList, reachableNodeIds } from './preflight';

const model = (id: string, platform: ModelInfo['platform']): ModelInfo => ({
	id,
	platform,
	name: id,
	input: 'text',
	output: 'text',
	description: '',
	homepage: '',
	defaults: {}
});

describe('reachableNodeIds', () => {
	it('follows edges from the start, through loops, and leaves unreachable nodes out', () => {
		const edges = [
			{ source: 'a', target: 'b' },
			{ source: 'b', target: 'c' },
			{ source: 'c', target: 'a' },
			{ source: 'x', target: 'a' }
		];
		expect([...reachableNodeIds('a', edges)].sort()).toEqual(['a', 'b', 'c']);
		expect([...reachableNodeIds('x', edges)].sort()).toEqual(['a', 'b', 'c', 'x']);
		expect([...reachableNodeIds('lonely', edges)]).toEqual(['lonely']);
	});
});

describe('hostedPlatformsOf', () => {
	it('lists hosted platforms once each, local and dummy left out', () => {
		const models = [model('a', 'openai'), model('b', 'local'), model('c', 'replicate'), model('d', 'openai'), model('e', 'dummy')];
		expect(hostedPlatformsOf(models)).toEqual(['replicate', 'openai']);
	});
});

describe('missing key messages', () => {
	it('name the platforms in words people read', () => {
		expect(platformList(['openai'])).toBe('OpenAI');
		expect(platformList(['replicate', 'openai', 'huggingface'])).toBe('Replicate, OpenAI and Hugging Face');
		expect(missingKeysMessage(['openai'])).toBe(
			'This network runs OpenAI models, but its owner has no OpenAI key saved. The owner can add it under Account → Keys.'
		);
		expect(missingKeysMessage(['replicate', 'huggingface'])).toMatch(/no Replicate and Hugging Face keys saved.*add them/);
	});
});
