import { describe, expect, test } from 'vitest';
import { Catalogue } from '../platforms/catalogue';
import { estimateCost, usdPerCall } from './estimate';

const catalogue = Catalogue.builtIn({ dummyModels: true });
const model = (id: string) => {
	const found = catalogue.get(id);
	if (!found) throw new Error(`${id} is not in the catalogue`);
	return found;
};

describe('experiment cost estimate', () => {
	test('built-in models cost nothing; a fixed price per output is known; prices by token or second are not', () => {
		expect(usdPerCall(model('local/paint'))).toBe(0);
		expect(usdPerCall(model('dummy/echo'))).toBe(0);
		expect(usdPerCall(model('replicate/black-forest-labs/flux-schnell'))).toBe(0.003);
		// Billed by tokens: the price depends on what the call sends and gets back.
		expect(usdPerCall(model('openai/gpt-6-luna'))).toBeNull();
		// The retired DALL·E 3 entry has a flat price per image.
		expect(usdPerCall(model('openai/dall-e-3'))).toBe(0.04);
	});

	test('steps × runs × prompts at the cheapest and dearest model’s price; unknown stays unknown', () => {
		const free = estimateCost([model('local/paint'), model('local/caption')], 800);
		expect(free).toMatchObject({ invocations: 800, lowUsd: 0, highUsd: 0, free: true });

		const hosted = estimateCost([model('replicate/black-forest-labs/flux-schnell'), model('local/caption')], 800);
		expect(hosted).toMatchObject({ lowUsd: 0, highUsd: 2.4, free: false });
		expect(hosted.models.map((m) => m.usdPerCall)).toEqual([0.003, 0]);

		const unknown = estimateCost([model('replicate/black-forest-labs/flux-schnell'), model('openai/gpt-6-luna-vision')], 800);
		expect(unknown).toMatchObject({ lowUsd: null, highUsd: null, free: false });
		expect(unknown.models[1]).toMatchObject({ usdPerCall: null, pricing: expect.stringMatching(/per 1M/) });
	});
});
