import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../platforms/local/png';
import { encodeWav } from '../platforms/local/wav';
import { exactHash, normaliseText, storedExactHash, textHash } from './exact-hash';

const picture = () => {
	const rgb = new Uint8Array(16 * 8 * 3);
	for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256;
	return { width: 16, height: 8, rgb };
};

describe('exact hash', () => {
	it('collapses whitespace in text but keeps case', () => {
		expect(normaliseText('  a dream\n of\tthe  sea ')).toBe('a dream of the sea');
		expect(textHash('a dream of the sea')).toBe(textHash(' a  dream\nof the sea\n'));
		expect(textHash('hello')).not.toBe(textHash('HELLO'));
		expect(exactHash({ kind: 'text', text: 'x  y' })).toBe(storedExactHash({ kind: 'text', text: 'x y' }));
	});

	it('hashes the same pixels alike however the PNG is encoded', () => {
		const image = picture();
		const a = encodePng(image);
		// The same picture as RGBA at another zlib level and filter.
		const png = new PNG({ width: 16, height: 8 });
		for (let p = 0; p < 16 * 8; p++) {
			png.data[p * 4] = image.rgb[p * 3];
			png.data[p * 4 + 1] = image.rgb[p * 3 + 1];
			png.data[p * 4 + 2] = image.rgb[p * 3 + 2];
			png.data[p * 4 + 3] = 255;
		}
		const b = new Uint8Array(PNG.sync.write(png, { colorType: 6, deflateLevel: 1, filterType: 0 }));
		expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
		expect(exactHash({ kind: 'image', bytes: a, mime: 'image/png' })).toBe(exactHash({ kind: 'image', bytes: b, mime: 'image/png' }));
		const changed = picture();
		changed.rgb[5] ^= 1;
		expect(exactHash({ kind: 'image', bytes: encodePng(changed), mime: 'image/png' })).not.toBe(exactHash({ kind: 'image', bytes: a, mime: 'image/png' }));
	});

	it('hashes WAV by samples, other formats and broken files by bytes', () => {
		const samples = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) / 2);
		const wav = encodeWav({ sampleRate: 8000, samples });
		// The same samples with an extra LIST chunk before the data.
		const list = new Uint8Array([...Buffer.from('LIST'), 4, 0, 0, 0, ...Buffer.from('INFO')]);
		const withChunk = new Uint8Array([...wav.subarray(0, 36), ...list, ...wav.subarray(36)]);
		new DataView(withChunk.buffer).setUint32(4, withChunk.length - 8, true);
		expect(exactHash({ kind: 'audio', bytes: wav, mime: 'audio/wav' })).toBe(exactHash({ kind: 'audio', bytes: withChunk, mime: 'audio/wav' }));
		const junk = new Uint8Array([1, 2, 3]);
		expect(exactHash({ kind: 'image', bytes: junk, mime: 'image/png' })).toMatch(/^[0-9a-f]{64}$/);
		expect(exactHash({ kind: 'image', bytes: junk, mime: 'image/jpeg' })).not.toBe(exactHash({ kind: 'image', bytes: junk, mime: 'image/png' }));
	});
});

describe('fingerprintPayload', () => {
	it('gives the same hash and vector with one decode as the separate functions', async () => {
		const { fingerprintPayload } = await import('./fingerprint');
		const { embedderFor } = await import('./embedders/index');
		const bytes = encodePng(picture());
		const payload = { kind: 'image', bytes, mime: 'image/png' } as const;
		expect(fingerprintPayload(payload)).toMatchObject({ exactHash: exactHash(payload), embedder: 'local/image-features', vector: embedderFor('image').embed(payload) });
	});
});
