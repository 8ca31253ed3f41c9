import { describeIndexed, sameDescription, type Description } from './caption';
import { COLOUR_NAMES, PALETTE } from './colours';
import { seededSequence } from './hash';
import type { LocalModel } from './model';
import { expectText, imagePayload, throwIfAborted } from './payload';
import { encodePng, type RgbImage } from './png';
import type { IndexedImage } from './regions';
import { namesBackground, parseScene } from './scene';
import { CANVAS_SIZE, SIZE_PIXELS, rasterise, sceneWeight, type Placement, type Scene } from './shapes';

/** Keeps every object this far inside its cell of the tidy grid, so neighbours never touch. */
const CELL_MARGIN = 2;
/** Loose arrangements paint tries, each seeded by the whole text, before settling for the tidy grid. */
const ATTEMPTS = 6;
/**
 * How close the two objects that meet in a loose arrangement are brought: the mover's
 * centre lands within this share of the distance at which their boxes would just
 * touch, so they always overlap, often a lot.
 */
const REACH = 0.3;

/** Grids that hold n objects, one per cell; the choice and order come from the text. */
function gridFor(count: number, next: () => number): [columns: number, rows: number] {
	if (count <= 1) return [1, 1];
	if (count === 2) return next() % 2 ? [2, 1] : [1, 2];
	if (count <= 4) return [2, 2];
	return next() % 2 ? [3, 2] : [2, 3];
}

/**
 * The tidy arrangement: each object in its own cell of a grid, at a text-seeded offset
 * inside it. Separate cells keep shapes apart, so caption reads every object back exactly.
 */
export function gridLayout(scene: Scene, seed: string): Placement[] {
	const next = seededSequence(seed);
	const [columns, rows] = gridFor(scene.objects.length, next);
	const cells = Array.from({ length: columns * rows }, (_, i) => i);
	for (let i = cells.length - 1; i > 0; i--) {
		const j = next() % (i + 1);
		[cells[i], cells[j]] = [cells[j], cells[i]];
	}
	return scene.objects.map((object, i) => {
		const cell = cells[i];
		const [column, row] = [cell % columns, Math.floor(cell / columns)];
		const left = Math.floor((column * CANVAS_SIZE) / columns);
		const top = Math.floor((row * CANVAS_SIZE) / rows);
		const width = Math.floor(((column + 1) * CANVAS_SIZE) / columns) - left;
		const height = Math.floor(((row + 1) * CANVAS_SIZE) / rows) - top;
		const size = SIZE_PIXELS[object.size];
		const slackX = Math.max(0, width - size - 2 * CELL_MARGIN);
		const slackY = Math.max(0, height - size - 2 * CELL_MARGIN);
		return {
			x: left + CELL_MARGIN + (next() % (slackX + 1)),
			y: top + CELL_MARGIN + (next() % (slackY + 1)),
			size,
			flipped: next() % 2 === 1
		};
	});
}

/**
 * A loose arrangement: the tidy grid, except that two of the objects (chosen by the
 * seed) meet. One is moved onto the other, its centre within `reach` of the distance
 * at which their boxes would just touch (so reach 1 allows anything from full overlap
 * to merely meeting), and drawn over or under it.
 */
export function looseLayout(scene: Scene, seed: string, reach: number): { placements: Placement[]; order: number[] } {
	const placements = gridLayout(scene, seed);
	const next = seededSequence(`${seed}\nmeet`);
	const order = scene.objects.map((_, i) => i);
	const count = scene.objects.length;
	if (count < 2) return { placements, order };
	const mover = next() % count;
	const host = (mover + 1 + (next() % (count - 1))) % count;
	const [a, b] = [placements[host], placements[mover]];
	const distance = Math.round(((a.size + b.size) / 2) * reach);
	const centreX = a.x + a.size / 2 + (next() % (2 * distance + 1)) - distance;
	const centreY = a.y + a.size / 2 + (next() % (2 * distance + 1)) - distance;
	const clamp = (value: number) => Math.max(0, Math.min(CANVAS_SIZE - b.size, Math.round(value - b.size / 2)));
	placements[mover] = { ...b, x: clamp(centreX), y: clamp(centreY) };
	// The mover goes on top or underneath.
	order.splice(order.indexOf(mover), 1);
	if (next() % 2) order.push(mover);
	else order.unshift(mover);
	return { placements, order };
}

/** Draws the objects, in the given order, as palette indices on the background. */
function compose(scene: Scene, placements: Placement[], order: number[]): IndexedImage {
	const indices = new Uint8Array(CANVAS_SIZE * CANVAS_SIZE).fill(COLOUR_NAMES.indexOf(scene.background));
	for (const i of order) {
		const place = placements[i];
		const colour = COLOUR_NAMES.indexOf(scene.objects[i].colour);
		rasterise(scene.objects[i].shape, place, (dx, dy) => {
			const x = place.x + dx;
			const y = place.y + dy;
			if (x >= 0 && y >= 0 && x < CANVAS_SIZE && y < CANVAS_SIZE) indices[y * CANVAS_SIZE + x] = colour;
		});
	}
	return { width: CANVAS_SIZE, height: CANVAS_SIZE, indices };
}

export interface Painting {
	picture: IndexedImage;
	/** What the picture shows, exactly as local/caption will read it. */
	reading: Description;
	/** Which arrangement was used: a loose attempt (0, 1, …) or the tidy grid. */
	arrangement: number | 'grid';
}

/**
 * Arranges a still life, the way a painter steps back to look. Loose arrangements
 * (seeded by the text) are tried in turn, and the first one kept is the first whose
 * picture reads either exactly as the words or as something lighter (fewer, smaller or
 * less solid things: see sceneWeight): shapes of one colour that touch merge, a shape
 * covered by another vanishes or loses a bite or its middle. A picture that would read
 * as something different but no lighter (a shape cut in two, a bite that leaves a
 * shape looking more solid) is never handed on; if every attempt would, the tidy grid
 * is used. So a loop through paint and caption only ever gets lighter, and settles.
 */
export function arrange(scene: Scene, seed: string): Painting {
	const weight = sceneWeight(scene.objects);
	for (let attempt = 0; attempt < ATTEMPTS && scene.objects.length > 1; attempt++) {
		const { placements, order } = looseLayout(scene, `${seed}\n${attempt}`, REACH);
		const picture = compose(scene, placements, order);
		const reading = describeIndexed(picture);
		const lighter = reading.background === scene.background && sceneWeight(reading.objects) < weight;
		if (lighter || sameDescription(reading, scene)) return { picture, reading, arrangement: attempt };
	}
	return tidy(scene, seed);
}

/** The tidy grid: every object in a cell of its own, drawn in the order the words give. */
function tidy(scene: Scene, seed: string): Painting {
	const picture = compose(scene, gridLayout(scene, seed), scene.objects.map((_, i) => i));
	return { picture, reading: describeIndexed(picture), arrangement: 'grid' };
}

/** Turns palette indices into RGB pixels. */
function toRgb({ width, height, indices }: IndexedImage): RgbImage {
	const colours = COLOUR_NAMES.map((name) => PALETTE[name]);
	const rgb = new Uint8Array(width * height * 3);
	for (let i = 0, o = 0; i < indices.length; i++, o += 3) {
		const [r, g, b] = colours[indices[i]];
		rgb[o] = r;
		rgb[o + 1] = g;
		rgb[o + 2] = b;
	}
	return { width, height, rgb };
}

/**
 * Reads the text and paints what it names, seeded by the whole text. A text that says
 * what the things stand on ("… on a white background") is painted as a still life,
 * loosely arranged (see arrange); any other text gets the tidy grid, each thing in a
 * space of its own, exactly as the words say.
 */
export function paintText(text: string): Painting {
	const scene = parseScene(text);
	return namesBackground(text) ? arrange(scene, text) : tidy(scene, text);
}

export const paint: LocalModel = {
	info: {
		id: 'local/paint',
		platform: 'local',
		name: 'Paint',
		input: 'text',
		output: 'image',
		description:
			'Paints the colours and shapes its words name (circles, squares, triangles, stripes, rings in twelve colours) as a 256×256 picture; other words pick colours and shapes of their own. Given a background ("… on a white background") it paints a still life, where shapes may overlap, merge or hide each other.',
		homepage: '/models#local/paint',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/paint');
		const text = expectText(input, 'local/paint');
		return imagePayload(encodePng(toRgb(paintText(text).picture)));
	}
};
