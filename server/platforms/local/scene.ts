import { COLOUR_NAMES, colourNamed, type ColourName } from './colours';
import { fnv1a } from './hash';
import { SHAPES, SIZES, numberNamed, shapeNamed, sizeNamed, type Scene, type SceneObject, type ShapeName, type SizeName } from './shapes';
import { STOPWORDS, tokenise } from './words';

/** local/paint draws at most this many objects; caption mentions at most as many. */
export const MAX_OBJECTS = 5;

/** Everyday things whose colour and/or shape is obvious, so "the sun over the sea" looks like it. */
const THINGS: Record<string, { colour?: ColourName; shape?: ShapeName }> = {
	sun: { colour: 'yellow', shape: 'circle' }, moon: { colour: 'white', shape: 'circle' },
	sea: { colour: 'blue' }, ocean: { colour: 'blue' }, sky: { colour: 'blue' }, water: { colour: 'blue' },
	river: { colour: 'blue', shape: 'stripe' }, lake: { colour: 'blue', shape: 'circle' },
	grass: { colour: 'green', shape: 'stripe' }, leaf: { colour: 'green', shape: 'triangle' },
	tree: { colour: 'green', shape: 'triangle' }, forest: { colour: 'green' },
	fire: { colour: 'orange', shape: 'triangle' }, flame: { colour: 'orange', shape: 'triangle' },
	blood: { colour: 'red' }, apple: { colour: 'red', shape: 'circle' }, heart: { colour: 'red' },
	night: { colour: 'black' }, shadow: { colour: 'black' }, ink: { colour: 'black' },
	snow: { colour: 'white' }, cloud: { colour: 'white', shape: 'circle' }, milk: { colour: 'white' },
	fox: { colour: 'orange', shape: 'triangle' }, pumpkin: { colour: 'orange', shape: 'circle' },
	dog: { colour: 'brown' }, earth: { colour: 'brown' }, wood: { colour: 'brown', shape: 'stripe' },
	stone: { colour: 'grey', shape: 'circle' }, rain: { colour: 'grey', shape: 'stripe' }, fog: { colour: 'grey' },
	dawn: { colour: 'pink' }, flower: { colour: 'pink', shape: 'circle' }, dusk: { colour: 'purple' },
	mountain: { colour: 'grey', shape: 'triangle' }, hill: { colour: 'green', shape: 'triangle' },
	house: { shape: 'square' }, window: { shape: 'square' }, door: { shape: 'square' },
	road: { colour: 'grey', shape: 'stripe' }, horizon: { shape: 'stripe' }, path: { shape: 'stripe' },
	eye: { shape: 'ring' }, wheel: { shape: 'ring' }, coin: { colour: 'yellow', shape: 'circle' }
};

/** Words that frame a picture rather than name something in it. */
const FRAMING_WORDS = new Set(['background', 'backdrop', 'plain', 'empty', 'picture', 'image', 'painting']);

interface Pending {
	colour?: ColourName;
	/** The word the pending colour came from: it picks a shape if no shape word follows. */
	source?: string;
	size?: SizeName;
	count?: number;
}

/**
 * Reads a scene from free text. Colour, shape, size and number words are honoured
 * exactly; known things lend their colour or shape; any other word still counts,
 * hashed to a colour (then a shape), so every prompt gives its own picture.
 */
export function parseScene(text: string): Scene {
	const words = tokenise(text);
	const { background, skip } = findBackground(words);

	const objects: SceneObject[] = [];
	let pending: Pending = {};
	const flush = (shape?: ShapeName, shapeWord = '') => {
		if (!pending.colour && !shape) return;
		const colour = pending.colour ?? COLOUR_NAMES[fnv1a(`${shapeWord}#${objects.length}`) % COLOUR_NAMES.length];
		const chosenShape = shape ?? SHAPES[fnv1a(pending.source ?? '') % SHAPES.length];
		const size = pending.size ?? 'medium';
		for (let n = 0; n < (pending.count ?? 1) && objects.length < MAX_OBJECTS; n++) {
			objects.push({ colour, shape: chosenShape, size });
		}
		pending = {};
	};
	const addColour = (colour: ColourName, source: string) => {
		if (pending.colour) flush();
		pending.colour = colour;
		pending.source = source;
	};

	for (let i = 0; i < words.length && objects.length < MAX_OBJECTS; i++) {
		const word = words[i];
		if (skip.has(i) || STOPWORDS.has(word) || FRAMING_WORDS.has(word)) continue;
		const colour = colourNamed(word);
		const shape = shapeNamed(word);
		const size = sizeNamed(word);
		const count = numberNamed(word);
		const thing = THINGS[word] ?? THINGS[word.replace(/s$/, '')];
		if (count !== undefined) pending.count = count;
		else if (size) pending.size = size;
		else if (colour) addColour(colour, word);
		else if (shape) flush(shape, word);
		else if (thing) {
			if (thing.colour) addColour(thing.colour, word);
			if (thing.shape) flush(thing.shape, word);
		} else if (word.length >= 3 && !/^\d+$/.test(word)) {
			// A word that names nothing: the first gives a colour, the next a shape (and a size).
			const hash = fnv1a(word);
			if (pending.colour) {
				pending.size ??= SIZES[(hash >>> 8) % SIZES.length];
				flush(SHAPES[hash % SHAPES.length]);
			} else {
				addColour(COLOUR_NAMES[hash % COLOUR_NAMES.length], word);
			}
		}
	}
	flush();
	return { background: chooseBackground(background, objects), objects };
}

/** A colour word just before "background" or "backdrop" names the background (the last such wins). */
function findBackground(words: string[]): { background?: ColourName; skip: Set<number> } {
	let background: ColourName | undefined;
	const skip = new Set<number>();
	words.forEach((word, i) => {
		const colour = i > 0 ? colourNamed(words[i - 1]) : undefined;
		if ((word === 'background' || word === 'backdrop') && colour) {
			background = colour;
			skip.add(i - 1);
		}
	});
	return { background, skip };
}

/** Whether the text names a background colour ("… on a white background"). */
export const namesBackground = (text: string): boolean => findBackground(tokenise(text)).background !== undefined;

/**
 * An unnamed background is the first of white, black, grey that no object uses; an
 * object the same colour as a named background would vanish, so it moves one colour on.
 */
function chooseBackground(named: ColourName | undefined, objects: SceneObject[]): ColourName {
	const used = new Set(objects.map((o) => o.colour));
	const background = named ?? (['white', 'black', 'grey'] as const).find((c) => !used.has(c)) ?? 'white';
	for (const object of objects) {
		if (object.colour === background) {
			object.colour = COLOUR_NAMES[(COLOUR_NAMES.indexOf(object.colour) + 1) % COLOUR_NAMES.length];
		}
	}
	return background;
}
