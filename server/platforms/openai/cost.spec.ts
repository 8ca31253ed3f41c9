import { describe, expect, it } from 'vitest';
import { priced } from './cost';

describe('priced', () => {
	it('prefers reported tokens over the per-image price and totals the tokens', () => {
		const pricing = { inputPerMTokens: 5, imageInputPerMTokens: 10, outputPerMTokens: 40, perImage: 0.011 };
		expect(priced(pricing, { imageCount: 1 })).toEqual({ metrics: { imageCount: 1 }, costUsd: 0.011 });
		const withTokens = priced(pricing, { imageCount: 1, inputTokens: 110, imageInputTokens: 100, outputTokens: 272 });
		expect(withTokens.metrics.totalTokens).toBe(382);
		expect(withTokens.costUsd).toBeCloseTo((10 * 5 + 100 * 10 + 272 * 40) / 1e6, 12);
	});

	it('leaves the cost out when nothing reported has a price', () => {
		expect(priced({ perAudioMinute: 0.006 }, { inputTokens: 3, characters: undefined })).toEqual({ metrics: { inputTokens: 3 } });
	});
});
