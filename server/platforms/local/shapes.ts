import type { ColourName } from './colours';

/**
 * The shape and size vocabulary shared by local/paint (which draws it) and
 * local/caption (which recognises it). Drawing is pixel-exact with no antialiasing,
 * so each shape keeps a tell-tale geometry that caption can measure:
 * square fills its box, circle ≈ π/4, triangle ≈ 1/2, ring has a hole, stripe is long.
 */
export const SHAPES = ['circle', 'square', 'triangle', 'stripe', 'ring'] as const;
export type ShapeName = (typeof SHAPES)[number];

export const SIZES = ['large', 'medium', 'small'] as const;
export type SizeName = (typeof SIZES)[number];

export interface SceneObject {
	colour: ColourName;
	shape: ShapeName;
	size: SizeName;
}

export interface Scene {
	background: ColourName;
	objects: SceneObject[];
}

export const CANVAS_SIZE = 256;

/** Box edge in pixels on the 256-pixel canvas; well apart so caption can tell them back. */
export const SIZE_PIXELS: Record<SizeName, number> = { large: 80, medium: 56, small: 32 };

/**
 * Caption's size boundaries, as a fraction of the picture's shorter side, set halfway
 * between paint's sizes (80, 56 and 32 of 256 pixels) so a painted size reads back as itself.
 */
export const LARGE_FRACTION = 0.26;
export const SMALL_FRACTION = 0.18;

/** How thick a stripe is, relative to its length (long and thin, aspect 5). */
export const STRIPE_THICKNESS = 1 / 5;
/** A ring's hole radius relative to its outer radius. */
export const RING_HOLE = 0.55;

const SHAPE_SYNONYMS: Record<string, ShapeName> = {
	circle: 'circle', round: 'circle', disc: 'circle', disk: 'circle', dot: 'circle', ball: 'circle', spot: 'circle',
	square: 'square', box: 'square', block: 'square', rectangle: 'square', cube: 'square', tile: 'square',
	triangle: 'triangle', pyramid: 'triangle', wedge: 'triangle', arrow: 'triangle',
	stripe: 'stripe', line: 'stripe', bar: 'stripe', band: 'stripe', streak: 'stripe', strip: 'stripe',
	ring: 'ring', hoop: 'ring', donut: 'ring', doughnut: 'ring', halo: 'ring', loop: 'ring'
};

/** The shape a word names; plurals ("circles", "boxes") count. */
export function shapeNamed(word: string): ShapeName | undefined {
	return SHAPE_SYNONYMS[word] ?? SHAPE_SYNONYMS[word.replace(/e?s$/, '')] ?? SHAPE_SYNONYMS[word.replace(/s$/, '')];
}

const SIZE_SYNONYMS: Record<string, SizeName> = {
	large: 'large', big: 'large', huge: 'large', giant: 'large', great: 'large', vast: 'large',
	medium: 'medium', middle: 'medium',
	small: 'small', tiny: 'small', little: 'small', mini: 'small'
};

export const sizeNamed = (word: string): SizeName | undefined => SIZE_SYNONYMS[word];

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
export const numberNamed = (word: string): number | undefined => NUMBER_WORDS[word];
export const NUMBER_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five'];

/** Where and how one object is drawn: its square box and orientation. */
export interface Placement {
	x: number;
	y: number;
	size: number;
	/** Stripes lie across (horizontal) or stand up; triangles point up or down. */
	flipped: boolean;
}

/** Calls `plot` for every pixel (relative to the box) that belongs to the shape. */
export function rasterise(shape: ShapeName, { size, flipped }: Placement, plot: (dx: number, dy: number) => void): void {
	const half = size / 2;
	switch (shape) {
		case 'square':
			for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) plot(dx, dy);
			return;
		case 'circle':
		case 'ring': {
			const inner = shape === 'ring' ? (half * RING_HOLE) ** 2 : -1;
			for (let dy = 0; dy < size; dy++) {
				for (let dx = 0; dx < size; dx++) {
					const d2 = (dx + 0.5 - half) ** 2 + (dy + 0.5 - half) ** 2;
					if (d2 <= half * half && d2 > inner) plot(dx, dy);
				}
			}
			return;
		}
		case 'triangle':
			// Apex at the middle of one edge, base along the opposite edge.
			for (let row = 0; row < size; row++) {
				const halfWidth = ((row + 0.5) / size) * half;
				const dy = flipped ? size - 1 - row : row;
				for (let dx = 0; dx < size; dx++) if (Math.abs(dx + 0.5 - half) <= halfWidth) plot(dx, dy);
			}
			return;
		case 'stripe': {
			const thickness = Math.max(3, Math.round(size * STRIPE_THICKNESS));
			const start = Math.floor((size - thickness) / 2);
			for (let along = 0; along < size; along++) {
				for (let across = start; across < start + thickness; across++) {
					if (flipped) plot(across, along);
					else plot(along, across);
				}
			}
			return;
		}
	}
}

/**
 * How solid each shape is, in the order that eating pixels out of a shape moves it:
 * a square with a bite out of it fills less of its box and reads as a circle, then a
 * triangle; one with its middle gone reads as a ring. Stripes are thin whatever happens.
 */
const SOLIDITY: Record<ShapeName, number> = { ring: 0, triangle: 1, stripe: 1, circle: 2, square: 3 };
const BULK: Record<SizeName, number> = { small: 0, medium: 1, large: 2 };

/**
 * How much a picture holds: each thing counts 1, plus its size (small 0 … large 2)
 * plus its solidity (ring 0 … square 3), so 1 to 6 a thing and at most 30 for five.
 * local/paint never hands on a still life that reads as something different but no
 * lighter than its words, and caption's words always name a background, so after
 * the first caption every change round a paint → caption loop lowers this number
 * (and a picture with something in it never reads as empty): the loop must reach a
 * fixed point after at most 29 further changes, in practice after a handful.
 */
export function sceneWeight(objects: readonly SceneObject[]): number {
	return objects.reduce((sum, o) => sum + 1 + BULK[o.size] + SOLIDITY[o.shape], 0);
}
