import { fnv1a } from './hash';
import type { LocalModel } from './model';
import { expectText, textPayload, throwIfAborted } from './payload';
import { STOPWORDS, tokenise } from './words';

/**
 * Each word leads to the next in its ring; the last leads back to the first. Rings
 * have two or four words, so any text of ring words repeats within four steps.
 */
const RINGS: string[][] = [
	['hot', 'cold'], ['day', 'night'], ['sun', 'moon'], ['black', 'white'], ['light', 'dark'],
	['love', 'fear'], ['sea', 'sky'], ['red', 'green'], ['blue', 'orange'], ['yellow', 'purple'],
	['big', 'small'], ['old', 'new'], ['loud', 'quiet'], ['fast', 'slow'], ['open', 'closed'],
	['life', 'death'], ['king', 'queen'], ['cat', 'dog'], ['bird', 'fish'], ['city', 'forest'],
	['song', 'silence'], ['rain', 'dust'], ['dream', 'waking'], ['mountain', 'valley'],
	['fire', 'water', 'earth', 'air'], ['spring', 'summer', 'autumn', 'winter'],
	['circle', 'square', 'triangle', 'line']
];

const NEXT = new Map<string, string>();
for (const ring of RINGS) ring.forEach((word, i) => NEXT.set(word, ring[(i + 1) % ring.length]));
const RING_WORDS = [...NEXT.keys()];

/** Longer texts are cut to this many words, so a loop's text stays readable. */
const MAX_WORDS = 40;

/**
 * Replaces each word by its association. Words on a ring move one step round it;
 * function words stay; any other word is hashed onto a ring word, so after one
 * step every word is on a ring and the whole text cycles.
 */
export function associateText(text: string): string {
	return tokenise(text)
		.slice(0, MAX_WORDS)
		.map((word) => NEXT.get(word) ?? (STOPWORDS.has(word) ? word : RING_WORDS[fnv1a(word) % RING_WORDS.length]))
		.join(' ');
}

export const associate: LocalModel = {
	info: {
		id: 'local/associate',
		platform: 'local',
		name: 'Associate',
		input: 'text',
		output: 'text',
		description:
			'Swaps every word for the one it brings to mind from a small table of opposites and rings (hot → cold → hot, fire → water → earth → air), so loops fall into cycles.',
		homepage: '/models#local/associate',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/associate');
		return textPayload(associateText(expectText(input, 'local/associate')));
	}
};
