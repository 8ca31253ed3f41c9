import type { LocalModel } from './model';
import { expectImage, imagePayload, throwIfAborted } from './payload';
import { decodePng, encodePng, type RgbImage } from './png';

/** Flips a picture left to right. Twice gives back the same pixels (a cycle of two). */
export function mirrorImage({ width, height, rgb }: RgbImage): RgbImage {
	const flipped = new Uint8Array(rgb.length);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const from = (y * width + x) * 3;
			const to = (y * width + (width - 1 - x)) * 3;
			flipped[to] = rgb[from];
			flipped[to + 1] = rgb[from + 1];
			flipped[to + 2] = rgb[from + 2];
		}
	}
	return { width, height, rgb: flipped };
}

export const mirror: LocalModel = {
	info: {
		id: 'local/mirror',
		platform: 'local',
		name: 'Mirror',
		input: 'image',
		output: 'image',
		description: 'Flips a picture left to right (transparency is flattened onto white).',
		homepage: '/models#local/mirror',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/mirror');
		const image = decodePng(expectImage(input, 'local/mirror'), 'local/mirror');
		return imagePayload(encodePng(mirrorImage(image)));
	}
};
