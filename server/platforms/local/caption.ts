import { COLOUR_NAMES, type ColourName } from './colours';
import type { LocalModel } from './model';
import { expectImage, textPayload, throwIfAborted } from './payload';
import { decodePng, type RgbImage } from './png';
import { dominantIndex, findRegions, indexImage, type IndexedImage, type Region } from './regions';
import { MAX_OBJECTS } from './scene';
import { LARGE_FRACTION, NUMBER_NAMES, SHAPES, SMALL_FRACTION, type SceneObject, type ShapeName, type SizeName } from './shapes';

/** Regions smaller than this share of the picture are specks, not things worth naming. */
const MIN_AREA_FRACTION = 0.002;

/**
 * Names a region's shape from its geometry alone: elongation first (stripe), then a
 * hole in the middle (ring), then how much of its bounding box it fills
 * (square ≈ 1, circle ≈ π/4 ≈ 0.785, triangle ≈ 0.5).
 */
export function classifyShape(region: Region): ShapeName {
	const aspect = Math.max(region.width, region.height) / Math.min(region.width, region.height);
	const fill = region.area / (region.width * region.height);
	if (aspect >= 2.5) return 'stripe';
	if (!region.coversCentre) return 'ring';
	if (fill >= 0.9) return 'square';
	if (fill >= 0.65) return 'circle';
	return 'triangle';
}

function classifySize(region: Region, shorterSide: number): SizeName {
	const extent = Math.max(region.width, region.height) / shorterSide;
	if (extent >= LARGE_FRACTION) return 'large';
	if (extent < SMALL_FRACTION) return 'small';
	return 'medium';
}

/** What a picture shows: its background colour and the things on it. */
export interface Description {
	background: ColourName;
	objects: SceneObject[];
}

const SIZE_ORDER: Record<SizeName, number> = { large: 0, medium: 1, small: 2 };

/**
 * The one order captions list things in: large before medium before small, then by
 * palette colour, then by shape. It depends only on what the things are (never on
 * where they sit or on a few pixels of area), so a picture that reads as the same
 * things always gets the same caption, and identical things sit side by side.
 */
export function canonicalOrder(objects: SceneObject[]): SceneObject[] {
	return [...objects].sort(
		(a, b) =>
			SIZE_ORDER[a.size] - SIZE_ORDER[b.size] ||
			COLOUR_NAMES.indexOf(a.colour) - COLOUR_NAMES.indexOf(b.colour) ||
			SHAPES.indexOf(a.shape) - SHAPES.indexOf(b.shape)
	);
}

/** Whether two descriptions name the same background and the same things (in any order). */
export function sameDescription(a: Description, b: Description): boolean {
	if (a.background !== b.background || a.objects.length !== b.objects.length) return false;
	const [x, y] = [canonicalOrder(a.objects), canonicalOrder(b.objects)];
	return x.every((o, i) => o.colour === y[i].colour && o.shape === y[i].shape && o.size === y[i].size);
}

/**
 * What a palette-indexed picture shows: the dominant colour is the background; the
 * five largest regions of other colours are the things on it, each named by colour,
 * shape and size, listed in canonical order. local/paint reads its own pictures with
 * this too, before handing them on.
 */
export function describeIndexed(indexed: IndexedImage): Description {
	const background = dominantIndex(indexed);
	const minArea = Math.max(16, Math.round(indexed.width * indexed.height * MIN_AREA_FRACTION));
	const shorterSide = Math.min(indexed.width, indexed.height);
	const objects = findRegions(indexed, background, minArea)
		// The five largest; ties broken by colour, so the choice never depends on where things sit.
		.sort((a, b) => b.area - a.area || a.colourIndex - b.colourIndex)
		.slice(0, MAX_OBJECTS)
		.map((region) => ({ colour: COLOUR_NAMES[region.colourIndex], shape: classifyShape(region), size: classifySize(region, shorterSide) }));
	return { background: COLOUR_NAMES[background], objects: canonicalOrder(objects) };
}

/** What a picture shows: its background colour and its five largest regions, large ones first. */
export function describeImage(image: RgbImage): Description {
	return describeIndexed(indexImage(image));
}

const withArticle = (phrase: string) => (/^[aeiou]/.test(phrase) ? `an ${phrase}` : `a ${phrase}`);

/** "a large red circle", or "two small blue stripes" for a run of identical objects. */
function phrase(object: SceneObject, count: number): string {
	const words = [object.size === 'medium' ? '' : object.size, object.colour, object.shape + (count > 1 ? 's' : '')];
	const described = words.filter(Boolean).join(' ');
	return count > 1 ? `${NUMBER_NAMES[count]} ${described}` : withArticle(described);
}

/**
 * Writes a caption in exactly the vocabulary local/paint reads, e.g.
 * "a large red circle, two blue triangles and a small yellow stripe on a white background".
 */
export function captionText(description: Description): string {
	const phrases: string[] = [];
	const objects = canonicalOrder(description.objects);
	for (let i = 0; i < objects.length; ) {
		let run = 1;
		const same = (o: SceneObject) => o.colour === objects[i].colour && o.shape === objects[i].shape && o.size === objects[i].size;
		while (i + run < objects.length && same(objects[i + run])) run++;
		phrases.push(phrase(objects[i], run));
		i += run;
	}
	const backdrop = `${withArticle(description.background)} background`;
	if (phrases.length === 0) return `a plain ${description.background} background`;
	const list = phrases.length === 1 ? phrases[0] : `${phrases.slice(0, -1).join(', ')} and ${phrases.at(-1)}`;
	return `${list} on ${backdrop}`;
}

export const caption: LocalModel = {
	info: {
		id: 'local/caption',
		platform: 'local',
		name: 'Caption',
		input: 'image',
		output: 'text',
		description:
			'Describes the colours and shapes actually present in a picture (its five largest patches of colour, large ones first, and the background) in the words local/paint understands; overlapping shapes are read as the patches they leave.',
		homepage: '/models#local/caption',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/caption');
		const image = decodePng(expectImage(input, 'local/caption'), 'local/caption');
		return textPayload(captionText(describeImage(image)));
	}
};
