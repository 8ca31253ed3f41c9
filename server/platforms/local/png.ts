import { PNG } from 'pngjs';

/** An RGB picture in memory: 3 bytes a pixel, rows top to bottom. */
export interface RgbImage {
	width: number;
	height: number;
	rgb: Uint8Array;
}

/** Encodes an RGB buffer as a PNG (colour type 2, 8-bit). zlib output is deterministic. */
export function encodePng(image: RgbImage): Uint8Array {
	const png = new PNG({ width: image.width, height: image.height });
	png.data = Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.byteLength);
	const bytes = PNG.sync.write(png, {
		colorType: 2,
		inputColorType: 2,
		inputHasAlpha: false,
		// Level 6 is several times faster than pngjs's default 9 and barely larger for flat pictures.
		deflateLevel: 6
	});
	return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes any PNG pngjs understands (grey, palette, RGB, with or without alpha,
 * 1–16 bits) to RGB, compositing transparency over white. Throws a readable error
 * for bytes that are not a PNG.
 */
export function decodePng(bytes: Uint8Array, modelId: string): RgbImage {
	let decoded: PNG;
	try {
		decoded = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
	} catch (error) {
		throw new Error(`${modelId} expects a PNG image: ${(error as Error).message}`);
	}
	const { width, height, data } = decoded;
	if (width === 0 || height === 0) throw new Error(`${modelId} expects a non-empty PNG image`);
	const rgb = new Uint8Array(width * height * 3);
	for (let i = 0, o = 0; i < width * height * 4; i += 4, o += 3) {
		const alpha = data[i + 3];
		if (alpha === 255) {
			rgb[o] = data[i];
			rgb[o + 1] = data[i + 1];
			rgb[o + 2] = data[i + 2];
		} else {
			rgb[o] = Math.round((data[i] * alpha + 255 * (255 - alpha)) / 255);
			rgb[o + 1] = Math.round((data[i + 1] * alpha + 255 * (255 - alpha)) / 255);
			rgb[o + 2] = Math.round((data[i + 2] * alpha + 255 * (255 - alpha)) / 255);
		}
	}
	return { width, height, rgb };
}
