import { describe, expect, it } from 'vitest';
import { caption } from '../../platforms/local/caption';
import { paint } from '../../platforms/local/paint';
import { decodePng, encodePng } from '../../platforms/local/png';
import { sing } from '../../platforms/local/sing';
import { decodeWav, encodeWav } from '../../platforms/local/wav';
import type { Payload } from '../../shared/platforms/types';
import { cosine } from '../vector';
import { AUDIO_SPECTRUM_ID } from './audio-spectrum';
import { IMAGE_FEATURES_ID } from './image-features';
import { embedderFor, nearRepeatThreshold } from './index';
import { TEXT_NGRAMS_ID } from './text-ngrams';

/**
 * Calibrates the near-repeat thresholds in `index.ts` on the local models. "Same content"
 * pairs are one output and a re-rendering of it: a caption retyped (case, punctuation,
 * spacing, a word moved), a picture nudged two pixels and re-encoded with noise, a tune
 * played quieter with noise. "Different content" pairs are outputs of different prompts.
 * A threshold must sit above every different pair and below every same pair; the printed
 * figures are what the constants cite.
 */
const PROMPTS = [
	'a dream of the sea at dawn',
	'a large red circle on a blue background',
	'three small green triangles',
	'the sun over a purple field',
	'two yellow rings and a black stripe',
	'an orange square beside a teal circle',
	'a forest of pink stripes at night',
	'one small white star on black'
];

const run = async (model: { run(p: Payload, params: Record<string, unknown>): Promise<Payload> }, input: Payload) => model.run(input, {});
const textOut = (p: Payload) => (p.kind === 'text' ? p.text : '');

/** A deterministic pseudo-random stream for the noise. */
function noise(seed: number) {
	let s = seed || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return ((s >>> 0) / 0xffffffff) * 2 - 1;
	};
}

function retype(text: string): string {
	const words = text.split(' ');
	if (words.length > 3) [words[1], words[2]] = [words[2], words[1]];
	return `  ${words.join('  ').toUpperCase()}. `;
}

function nudgePicture(bytes: Uint8Array, seed: number): Payload {
	const image = decodePng(bytes, 'calibration');
	const rnd = noise(seed);
	const out = new Uint8Array(image.rgb.length);
	for (let y = 0; y < image.height; y++) {
		for (let x = 0; x < image.width; x++) {
			const sx = Math.max(0, x - 2);
			const sy = Math.max(0, y - 2);
			for (let c = 0; c < 3; c++) {
				const v = image.rgb[(sy * image.width + sx) * 3 + c] + rnd() * 12;
				out[(y * image.width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
			}
		}
	}
	return { kind: 'image', bytes: encodePng({ ...image, rgb: out }), mime: 'image/png' };
}

function quieterTune(bytes: Uint8Array, seed: number): Payload {
	const audio = decodeWav(bytes, 'calibration');
	const rnd = noise(seed);
	const samples = audio.samples.map((s) => s * 0.7 + rnd() * 0.01);
	return { kind: 'audio', bytes: encodeWav({ ...audio, samples }), mime: 'audio/wav' };
}

function separation(id: string, items: Payload[], rerendered: Payload[]) {
	const embedder = embedderFor(items[0].kind);
	expect(embedder.id).toBe(id);
	const vectors = items.map((p) => embedder.embed(p)!);
	const again = rerendered.map((p) => embedder.embed(p)!);
	const same = vectors.map((v, i) => cosine(v, again[i]));
	const different: number[] = [];
	for (let i = 0; i < vectors.length; i++) for (let j = i + 1; j < vectors.length; j++) different.push(cosine(vectors[i], vectors[j]));
	const minSame = Math.min(...same);
	const maxDifferent = Math.max(...different);
	const threshold = nearRepeatThreshold(id);
	console.log(
		`[calibration] ${id}: same-content min ${minSame.toFixed(3)} (mean ${mean(same).toFixed(3)}), ` +
			`different max ${maxDifferent.toFixed(3)} (mean ${mean(different).toFixed(3)}), threshold ${threshold}`
	);
	expect(maxDifferent).toBeLessThan(minSame);
	expect(threshold).toBeGreaterThan(maxDifferent);
	expect(threshold).toBeLessThanOrEqual(minSame);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('near-repeat calibration on the local models', () => {
	it(`${TEXT_NGRAMS_ID}: captions of different pictures versus the same caption retyped`, async () => {
		const captions = await Promise.all(PROMPTS.map(async (p) => textOut(await run(caption, await run(paint, { kind: 'text', text: p })))));
		expect(new Set(captions).size).toBe(captions.length);
		separation(
			TEXT_NGRAMS_ID,
			captions.map((text) => ({ kind: 'text', text })),
			captions.map((text) => ({ kind: 'text', text: retype(text) }))
		);
	});

	it(`${IMAGE_FEATURES_ID}: paintings of different prompts versus the same painting nudged and re-encoded`, async () => {
		const pictures = await Promise.all(PROMPTS.map((p) => run(paint, { kind: 'text', text: p })));
		separation(
			IMAGE_FEATURES_ID,
			pictures,
			pictures.map((p, i) => nudgePicture((p as { bytes: Uint8Array }).bytes, i + 1))
		);
	});

	it(`${AUDIO_SPECTRUM_ID}: tunes of different texts versus the same tune quieter with noise`, async () => {
		const tunes = await Promise.all(PROMPTS.map((p) => run(sing, { kind: 'text', text: p })));
		separation(
			AUDIO_SPECTRUM_ID,
			tunes,
			tunes.map((p, i) => quieterTune((p as { bytes: Uint8Array }).bytes, i + 7))
		);
	});
});
