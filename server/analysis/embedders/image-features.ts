import { decodePng, type RgbImage } from '../../platforms/local/png';
import { l2Normalise } from '../vector';

export const IMAGE_FEATURES_ID = 'local/image-features';
const GRID = 8;
const HISTOGRAM_BINS = 16;
const EDGE_GRID = 4;
export const IMAGE_FEATURES_DIMS = GRID * GRID * 3 + 3 + HISTOGRAM_BINS + EDGE_GRID * EDGE_GRID;

/**
 * How much each part counts once the parts are unit length: the layout of colours matters
 * most; the luminance histogram and where the edges are tell "same scene, moved a little"
 * from "another scene" when the colour grids happen to be close.
 */
const WEIGHTS = { grid: 0.8, colour: 0.5, histogram: 0.4, edges: 0.45 };
/** Luminance steps below this (between neighbouring samples) are noise, not edges. */
const EDGE_MIN = 0.1;

/**
 * A picture's fingerprint from its pixels: an 8×8 grid of mean colours (centred on the
 * picture's mean colour: where things are), the mean colour (centred on mid-grey, so a
 * white page and a black page point apart rather than both "positive"), a 16-bin
 * luminance histogram (centred on the flat histogram), and the gradient energy in a 4×4 grid
 * (centred on its mean: where the edges are, not how many). Each part is L2-normalised and
 * weighted, then the whole. PNG only (the local models' format); null for other formats.
 */
export function imageFeatures(bytes: Uint8Array, mime: string): number[] | null {
	if (mime !== 'image/png') return null;
	let image: RgbImage;
	try {
		image = decodePng(bytes, IMAGE_FEATURES_ID);
	} catch {
		return null;
	}
	return featuresOf(image);
}

export function featuresOf({ width, height, rgb }: RgbImage): number[] {
	const grid = new Float64Array(GRID * GRID * 3);
	const cellCounts = new Float64Array(GRID * GRID);
	const histogram = new Float64Array(HISTOGRAM_BINS);
	const edges = new Float64Array(EDGE_GRID * EDGE_GRID);
	// Large pictures are sampled on a stride: a few tens of thousands of pixels say enough.
	const stride = Math.max(1, Math.floor(Math.sqrt((width * height) / 65_536)));
	const luma = (x: number, y: number) => {
		const i = (y * width + x) * 3;
		return (0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]) / 255;
	};
	for (let y = 0; y < height; y += stride) {
		const gy = Math.min(GRID - 1, Math.floor((y * GRID) / height));
		const ey = Math.min(EDGE_GRID - 1, Math.floor((y * EDGE_GRID) / height));
		for (let x = 0; x < width; x += stride) {
			const i = (y * width + x) * 3;
			const cell = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / width));
			grid[cell * 3] += rgb[i];
			grid[cell * 3 + 1] += rgb[i + 1];
			grid[cell * 3 + 2] += rgb[i + 2];
			cellCounts[cell]++;
			const l = luma(x, y);
			histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(l * HISTOGRAM_BINS))]++;
			if (x + stride < width && y + stride < height) {
				const dx = luma(x + stride, y) - l;
				const dy = luma(x, y + stride) - l;
				const gradient = Math.sqrt(dx * dx + dy * dy);
				// Only real edges count: noise and dithering make small gradients everywhere.
				if (gradient >= EDGE_MIN) edges[ey * EDGE_GRID + Math.min(EDGE_GRID - 1, Math.floor((x * EDGE_GRID) / width))] += gradient;
			}
		}
	}
	const meanColour = [0, 0, 0];
	for (let c = 0; c < GRID * GRID; c++) {
		for (let k = 0; k < 3; k++) {
			grid[c * 3 + k] = cellCounts[c] ? grid[c * 3 + k] / cellCounts[c] / 255 : 0;
			meanColour[k] += grid[c * 3 + k] / (GRID * GRID);
		}
	}
	// The grid is centred on the picture's own mean colour, so it says where things are;
	// the mean colour itself (centred on mid-grey) is a part of its own.
	for (let c = 0; c < GRID * GRID; c++) for (let k = 0; k < 3; k++) grid[c * 3 + k] -= meanColour[k];
	const samples = histogram.reduce((a, b) => a + b, 0) || 1;
	for (let b = 0; b < HISTOGRAM_BINS; b++) histogram[b] = histogram[b] / samples - 1 / HISTOGRAM_BINS;
	const edgeMean = edges.reduce((a, b) => a + b, 0) / edges.length;
	for (let e = 0; e < edges.length; e++) edges[e] -= edgeMean;
	return l2Normalise([
		...l2Normalise(grid).map((v) => v * WEIGHTS.grid),
		...meanColour.map((v) => (v - 0.5) * WEIGHTS.colour),
		...l2Normalise(histogram).map((v) => v * WEIGHTS.histogram),
		...l2Normalise(edges).map((v) => v * WEIGHTS.edges)
	]);
}
