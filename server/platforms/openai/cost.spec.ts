import { describe, expect, it } from 'vitest';
import { encodeWav } from '../local/wav';
import { priced } from './cost';
import { wavSeconds } from './wav';

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

describe('wavSeconds', () => {
	const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(12_000) });

	it('reads the duration from the header', () => {
		expect(wavSeconds(wav)).toBe(1.5);
	});

	it('counts only the bytes present when the data size is a streaming placeholder', () => {
		const streamed = wav.slice();
		new DataView(streamed.buffer).setUint32(40, 0xffffffff, true);
		expect(wavSeconds(streamed)).toBe(1.5);
	});

	it('is undefined for audio that is not WAV', () => {
		expect(wavSeconds(new TextEncoder().encode('ID3 not a wav'))).toBeUndefined();
	});
});
