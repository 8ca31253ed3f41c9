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
	if (decoded.width === 0 || decoded.height === 0) throw new Error(`${modelId} expects a non-empty PNG image`);
	return rgbOverWhite(decoded);
}

/**
 * 8-bit RGBA pixels (as pngjs decodes every PNG) composited over white to RGB: how the local
 * models and the analysis's image features read pictures, so a transparent area reads as
 * the white a viewer sees on a card.
 */
export function rgbOverWhite({ width, height, data }: { width: number; height: number; data: Uint8Array }): RgbImage {
	const rgb = new Uint8Array(width * height * 3);
	for (let i = 0, o = 0; i < width * height * 4; i += 4, o += 3) {
		const alpha = data[i + 3];
		for (let c = 0; c < 3; c++) rgb[o + c] = alpha === 255 ? data[i + c] : Math.round((data[i + c] * alpha + 255 * (255 - alpha)) / 255);
	}
	return { width, height, rgb };
}
