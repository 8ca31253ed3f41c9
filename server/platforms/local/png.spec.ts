import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, rgbOverWhite } from './png';
import { palettePng } from './test-fixtures';

describe('png helpers', () => {
	it('round-trips RGB pixels exactly and deterministically', () => {
		const rgb = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
		const bytes = encodePng({ width: 5, height: 3, rgb });
		expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
		expect(bytes[25]).toBe(2); // IHDR colour type: RGB
		expect(encodePng({ width: 5, height: 3, rgb })).toEqual(bytes);
		const decoded = decodePng(bytes, 'test');
		expect(decoded.width).toBe(5);
		expect(decoded.height).toBe(3);
		expect(decoded.rgb).toEqual(rgb);
	});

	it('decodes palette, greyscale and RGBA PNGs, flattening transparency onto white', () => {
		const palette = decodePng(palettePng(2, 1, [[255, 0, 0], [0, 0, 255]], (x) => x), 'test');
		expect([...palette.rgb]).toEqual([255, 0, 0, 0, 0, 255]);

		const grey = new PNG({ width: 1, height: 1 });
		grey.data.set([90, 90, 90, 255]);
		expect([...decodePng(new Uint8Array(PNG.sync.write(grey, { colorType: 0 })), 'test').rgb]).toEqual([90, 90, 90]);

		const rgba = new PNG({ width: 2, height: 1 });
		rgba.data.set([0, 0, 0, 0, 0, 0, 0, 128]);
		expect([...decodePng(new Uint8Array(PNG.sync.write(rgba)), 'test').rgb]).toEqual([255, 255, 255, 127, 127, 127]);
	});

	it('composites RGBA over white channel by channel (the one compositor: models and image features)', () => {
		const data = Uint8Array.from([200, 100, 0, 255, 200, 100, 0, 51]);
		expect(rgbOverWhite({ width: 2, height: 1, data })).toEqual({ width: 2, height: 1, rgb: Uint8Array.from([200, 100, 0, 244, 224, 204]) });
	});

	it('rejects bytes that are not a PNG with a clear message', () => {
		expect(() => decodePng(new TextEncoder().encode('GIF89a nope'), 'local/caption')).toThrow(/local\/caption expects a PNG image/);
	});
});
