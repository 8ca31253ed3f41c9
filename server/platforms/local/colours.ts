/**
 * The named palette shared by local/paint and local/caption. Paint only ever draws
 * these exact colours and caption quantises every pixel to the nearest of them, so a
 * colour word survives the round trip paint → caption unchanged.
 */
export type Rgb = readonly [number, number, number];

export const PALETTE = {
	red: [220, 38, 38],
	orange: [245, 140, 20],
	yellow: [250, 220, 40],
	green: [40, 160, 60],
	teal: [20, 150, 150],
	blue: [40, 80, 220],
	purple: [130, 50, 180],
	pink: [245, 130, 190],
	brown: [120, 75, 35],
	black: [20, 20, 20],
	white: [250, 250, 250],
	grey: [128, 128, 128]
} as const satisfies Record<string, Rgb>;

export type ColourName = keyof typeof PALETTE;
export const COLOUR_NAMES = Object.keys(PALETTE) as ColourName[];

/** Spellings and near-synonyms that mean one of the palette colours. */
const COLOUR_SYNONYMS: Record<string, ColourName> = {
	gray: 'grey',
	silver: 'grey',
	violet: 'purple',
	magenta: 'pink',
	rose: 'pink',
	cyan: 'teal',
	turquoise: 'teal',
	navy: 'blue',
	azure: 'blue',
	scarlet: 'red',
	crimson: 'red',
	gold: 'yellow',
	golden: 'yellow',
	amber: 'orange',
	tan: 'brown'
};

/** The palette colour a word names, if it names one. Plurals ("reds") count. */
export function colourNamed(word: string): ColourName | undefined {
	if (word in PALETTE) return word as ColourName;
	if (word in COLOUR_SYNONYMS) return COLOUR_SYNONYMS[word];
	if (word.endsWith('s') && word.slice(0, -1) in PALETTE) return word.slice(0, -1) as ColourName;
	return undefined;
}

/**
 * Nearest palette colour by "redmean" distance, a cheap approximation of perceived
 * colour difference that keeps e.g. dark blue from being called black too eagerly.
 */
export function nearestColourIndex(r: number, g: number, b: number): number {
	let best = 0;
	let bestDistance = Infinity;
	for (let i = 0; i < COLOUR_NAMES.length; i++) {
		const [pr, pg, pb] = PALETTE[COLOUR_NAMES[i]];
		const meanRed = (r + pr) / 2;
		const dr = r - pr;
		const dg = g - pg;
		const db = b - pb;
		const distance = (2 + meanRed / 256) * dr * dr + 4 * dg * dg + (2 + (255 - meanRed) / 256) * db * db;
		if (distance < bestDistance) {
			bestDistance = distance;
			best = i;
		}
	}
	return best;
}

/**
 * Quantises many pixels quickly: answers are cached per 15-bit colour (5 bits a
 * channel), which is far finer than the gaps between palette colours.
 */
export function createQuantiser(): (r: number, g: number, b: number) => number {
	const cache = new Int8Array(32768).fill(-1);
	return (r, g, b) => {
		const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
		let index = cache[key];
		if (index < 0) {
			// Quantise the cell's centre so the cached answer does not depend on which pixel came first.
			index = nearestColourIndex((r & ~7) | 4, (g & ~7) | 4, (b & ~7) | 4);
			cache[key] = index;
		}
		return index;
	};
}
