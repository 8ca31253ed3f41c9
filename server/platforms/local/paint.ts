import { PALETTE } from './colours';
import { seededSequence } from './hash';
import type { LocalModel } from './model';
import { expectText, imagePayload, throwIfAborted } from './payload';
import { encodePng, type RgbImage } from './png';
import { parseScene } from './scene';
import { CANVAS_SIZE, SIZE_PIXELS, rasterise, type Placement, type Scene } from './shapes';

/** Keeps every object this far inside its cell, so neighbours never touch and merge. */
const CELL_MARGIN = 2;

/** Grids that hold n objects, one per cell; the choice and order come from the text. */
function gridFor(count: number, next: () => number): [columns: number, rows: number] {
	if (count <= 1) return [1, 1];
	if (count === 2) return next() % 2 ? [2, 1] : [1, 2];
	if (count <= 4) return [2, 2];
	return next() % 2 ? [3, 2] : [2, 3];
}

/**
 * Places each object in its own cell of a grid, at a text-seeded offset inside it.
 * Separate cells keep shapes from overlapping, which is what lets caption read every
 * painted object back exactly; the seeded shuffle keeps pictures from looking alike.
 */
export function layout(scene: Scene, seed: string): Placement[] {
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

/** Draws a scene onto a fresh canvas filled with its background colour. */
export function drawScene(scene: Scene, seed: string): RgbImage {
	const rgb = new Uint8Array(CANVAS_SIZE * CANVAS_SIZE * 3);
	const [br, bg, bb] = PALETTE[scene.background];
	for (let i = 0; i < rgb.length; i += 3) {
		rgb[i] = br;
		rgb[i + 1] = bg;
		rgb[i + 2] = bb;
	}
	const placements = layout(scene, seed);
	scene.objects.forEach((object, i) => {
		const place = placements[i];
		const [r, g, b] = PALETTE[object.colour];
		rasterise(object.shape, place, (dx, dy) => {
			const x = place.x + dx;
			const y = place.y + dy;
			if (x < 0 || y < 0 || x >= CANVAS_SIZE || y >= CANVAS_SIZE) return;
			const at = (y * CANVAS_SIZE + x) * 3;
			rgb[at] = r;
			rgb[at + 1] = g;
			rgb[at + 2] = b;
		});
	});
	return { width: CANVAS_SIZE, height: CANVAS_SIZE, rgb };
}

export const paint: LocalModel = {
	info: {
		id: 'local/paint',
		platform: 'local',
		name: 'Paint',
		input: 'text',
		output: 'image',
		description:
			'Paints the colours and shapes its words name (circles, squares, triangles, stripes, rings in twelve colours) as a 256×256 picture; other words pick colours and shapes of their own.',
		homepage: '/models#local/paint',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/paint');
		const text = expectText(input, 'local/paint');
		const scene = parseScene(text);
		return imagePayload(encodePng(drawScene(scene, text)));
	}
};
