import { describe, expect, it } from 'vitest';
import { paint } from '../../platforms/local/paint';
import { sing } from '../../platforms/local/sing';
import type { Payload } from '../../shared/platforms/types';
import { cosine } from '../vector';
import { EMBEDDERS, embedderFor, localEmbedder, nearRepeatThreshold } from './index';
import { textNgrams } from './text-ngrams';

const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
const text = (t: string): Payload => ({ kind: 'text', text: t });

describe('local embedders', () => {
	it('lists one default per modality with its dimensions', () => {
		expect(EMBEDDERS.map((e) => [e.id, e.input, e.dims])).toEqual([
			['local/text-ngrams', 'text', 512],
			['local/image-features', 'image', 227],
			['local/audio-spectrum', 'audio', 64]
		]);
		expect(embedderFor('image').id).toBe('local/image-features');
		expect(localEmbedder('nope')).toBeUndefined();
		expect(nearRepeatThreshold('openai/text-embedding-3-small')).toBe(0.9);
	});

	it('local/text-ngrams: deterministic, unit length, case- and spacing-blind, closer for shared wording', () => {
		const a = textNgrams('a red circle on a blue background');
		expect(a).toEqual(textNgrams('A red  circle on a blue background '));
		expect(a).toHaveLength(512);
		expect(norm(a)).toBeCloseTo(1, 9);
		const near = cosine(a, textNgrams('a red circle on a green background'));
		const far = cosine(a, textNgrams('three small yellow triangles at night'));
		expect(near).toBeGreaterThan(far);
		expect(textNgrams('')).toEqual(new Array(512).fill(0).map(() => 0));
	});

	it('local/image-features: deterministic, unit length, closer for the same scene', async () => {
		const embed = embedderFor('image').embed;
		const pic = (t: string) => paint.run(text(t), {});
		const [a, b, c] = await Promise.all([pic('a large red circle on a blue background'), pic('a large red circle on a blue background'), pic('three small green triangles')]);
		const va = embed(a)!;
		expect(va).toEqual(embed(b));
		expect(va).toHaveLength(227);
		expect(norm(va)).toBeCloseTo(1, 9);
		const similar = embed(await pic('a large red square on a blue background'))!;
		expect(cosine(va, similar)).toBeGreaterThan(cosine(va, embed(c)!));
		expect(embed({ kind: 'image', bytes: new Uint8Array([1, 2]), mime: 'image/jpeg' })).toBeNull();
	});

	it('local/audio-spectrum: deterministic, unit length, closer for the same tune', async () => {
		const embed = embedderFor('audio').embed;
		const tune = (t: string) => sing.run(text(t), {});
		const va = embed(await tune('C4 E4 G4 C5 long'))!;
		expect(va).toEqual(embed(await tune('C4 E4 G4 C5 long')));
		expect(va).toHaveLength(64);
		expect(norm(va)).toBeCloseTo(1, 9);
		const close = cosine(va, embed(await tune('C4 E4 G4 C5'))!);
		const far = cosine(va, embed(await tune('A2 B2 rest A2 low low'))!);
		expect(close).toBeGreaterThan(far);
	});
});
