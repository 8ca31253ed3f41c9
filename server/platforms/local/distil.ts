import type { ParamSpec } from '../../shared/platforms/types';
import type { LocalModel } from './model';
import { expectText, textPayload, throwIfAborted } from './payload';
import { STOPWORDS, tokenise } from './words';

/** Letters that are rare in English text make a word stand out. */
const RARE_LETTERS = new Set('jqxzkvbwyfgpm');

/** How much a word says on its own: longer words and rarer letters score higher. */
export function distinctiveness(word: string): number {
	let rare = 0;
	for (const letter of word) if (RARE_LETTERS.has(letter)) rare++;
	return word.length + rare;
}

/** How distil lays out the words it keeps. */
export const DISTIL_ORDERS = ['as written', 'most distinctive first'] as const;
export type DistilOrder = (typeof DISTIL_ORDERS)[number];

/**
 * Keeps the most distinctive share of a text's content words, in their original order
 * (or ranked, most distinctive first). Texts already at or under `minWords` come back as
 * they are (normalised), so a loop of distil shrinks its text step by step to a fixed point;
 * a ranked text ranks the same way again, so ranking keeps that.
 */
export function distilText(text: string, keepFraction = 0.5, minWords = 3, order: DistilOrder = 'as written'): string {
	const all = tokenise(text);
	const content = [...new Set(all.filter((w) => !STOPWORDS.has(w) && w.length > 1))];
	// Nothing but function words: echo a few of them, so the result is still a fixed point.
	if (content.length === 0) return all.slice(0, minWords).join(' ');
	if (content.length <= minWords) return content.join(' ');
	const keep = Math.max(minWords, Math.ceil(content.length * keepFraction));
	const ranked = content
		.map((word, position) => ({ word, position, score: distinctiveness(word) }))
		.sort((a, b) => b.score - a.score || a.position - b.position)
		.slice(0, keep);
	if (order === 'as written') ranked.sort((a, b) => a.position - b.position);
	return ranked.map((r) => r.word).join(' ');
}

/**
 * What a node may set, checked by resolveParams before `run` sees it. The ranges are the
 * ones `run` clamps to, so a direct call (tests, the CLI) behaves as a checked one.
 */
const PARAMS: ParamSpec[] = [
	{ key: 'keepFraction', label: 'Share of words kept', help: 'Each step keeps this share of the content words (at least the minimum below).', kind: 'number', min: 0.1, max: 0.9, step: 0.05, default: 0.5 },
	{ key: 'minWords', label: 'Fewest words', help: 'A text this short or shorter passes through unchanged: where a loop settles.', kind: 'number', min: 1, max: 50, step: 1, integer: true, default: 3 },
	{ key: 'order', label: 'Word order', help: 'Keep the words where they stood, or rank them.', kind: 'choice', options: DISTIL_ORDERS, default: 'as written' }
];

function numberParam(value: unknown, fallback: number, min: number, max: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export const distil: LocalModel = {
	info: {
		id: 'local/distil',
		platform: 'local',
		name: 'Distil',
		input: 'text',
		output: 'text',
		description:
			'Keeps the most distinctive half of a text’s words, so a loop through it shrinks to a few words and stays there.',
		homepage: '/models#local/distil',
		defaults: { keepFraction: 0.5, minWords: 3 },
		params: PARAMS
	},
	async run(input, params, signal) {
		throwIfAborted(signal, 'local/distil');
		const text = expectText(input, 'local/distil');
		const keepFraction = numberParam(params.keepFraction, 0.5, 0.1, 0.9);
		const minWords = Math.round(numberParam(params.minWords, 3, 1, 50));
		const order = DISTIL_ORDERS.find((o) => o === params.order) ?? 'as written';
		return textPayload(distilText(text, keepFraction, minWords, order));
	}
};
