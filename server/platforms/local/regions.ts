import { createQuantiser } from './colours';
import type { RgbImage } from './png';

/** Pictures are read at no more than this many pixels a side: plenty for naming shapes. */
const MAX_SIDE = 256;

/** A palette-indexed picture: one palette index per pixel. */
export interface IndexedImage {
	width: number;
	height: number;
	indices: Uint8Array;
}

/** One connected patch of a single palette colour. */
export interface Region {
	colourIndex: number;
	area: number;
	left: number;
	top: number;
	width: number;
	height: number;
	/** Whether the pixel at the middle of the bounding box is part of the region (false for rings). */
	coversCentre: boolean;
}

/**
 * Quantises a picture to the palette, sampling (not averaging) pixels when it is
 * larger than MAX_SIDE: averaging would invent in-between colours along every edge.
 */
export function indexImage(image: RgbImage): IndexedImage {
	const step = Math.max(1, Math.ceil(Math.max(image.width, image.height) / MAX_SIDE));
	const width = Math.max(1, Math.floor(image.width / step));
	const height = Math.max(1, Math.floor(image.height / step));
	const quantise = createQuantiser();
	const indices = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const at = ((y * step + (step >> 1)) * image.width + x * step + (step >> 1)) * 3;
			indices[y * width + x] = quantise(image.rgb[at], image.rgb[at + 1], image.rgb[at + 2]);
		}
	}
	return { width, height, indices };
}

/** The palette index covering the most pixels. */
export function dominantIndex({ indices }: IndexedImage): number {
	const counts = new Uint32Array(256);
	for (const index of indices) counts[index]++;
	let best = 0;
	for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
	return best;
}

/**
 * Finds the 4-connected regions of every colour except the background, skipping
 * specks smaller than `minArea` pixels. Flood fill uses an explicit stack so large
 * regions cannot overflow the call stack.
 */
export function findRegions(image: IndexedImage, background: number, minArea: number): Region[] {
	const { width, height, indices } = image;
	const labels = new Int32Array(width * height).fill(-1);
	const stack = new Int32Array(width * height);
	const regions: Region[] = [];
	let label = 0;
	for (let start = 0; start < indices.length; start++) {
		const colourIndex = indices[start];
		if (colourIndex === background || labels[start] !== -1) continue;
		let size = 0;
		let [minX, minY, maxX, maxY] = [width, height, -1, -1];
		let top = 0;
		stack[top++] = start;
		labels[start] = label;
		const visit = (n: number) => {
			if (labels[n] === -1 && indices[n] === colourIndex) {
				labels[n] = label;
				stack[top++] = n;
			}
		};
		while (top > 0) {
			const at = stack[--top];
			const x = at % width;
			const y = (at - x) / width;
			size++;
			if (x < minX) minX = x;
			if (x > maxX) maxX = x;
			if (y < minY) minY = y;
			if (y > maxY) maxY = y;
			if (x > 0) visit(at - 1);
			if (x < width - 1) visit(at + 1);
			if (y > 0) visit(at - width);
			if (y < height - 1) visit(at + width);
		}
		if (size >= minArea) {
			const centre = ((minY + maxY + 1) >> 1) * width + ((minX + maxX + 1) >> 1);
			regions.push({
				colourIndex,
				area: size,
				left: minX,
				top: minY,
				width: maxX - minX + 1,
				height: maxY - minY + 1,
				coversCentre: labels[centre] === label
			});
		}
		label++;
	}
	return regions;
}
