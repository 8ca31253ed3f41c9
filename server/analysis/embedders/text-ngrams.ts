import { fnv1a } from '../../platforms/local/hash';
import { l2Normalise } from '../vector';

export const TEXT_NGRAMS_ID = 'local/text-ngrams';
export const TEXT_NGRAMS_DIMS = 512;

/**
 * Character 3-grams hashed into 512 buckets, counted, L2-normalised: texts that share much
 * of their wording point the same way, whatever the word order. Lowercased and
 * whitespace-collapsed first (unlike the exact hash, case does not make two texts say
 * different things), and padded with a space so words' first and last letters count.
 * Microseconds per caption, so the engine can afford it on every text output.
 */
export function textNgrams(text: string): number[] {
	const normal = ` ${text.toLowerCase().replace(/\s+/g, ' ').trim()} `;
	const counts = new Float64Array(TEXT_NGRAMS_DIMS);
	for (let i = 0; i + 3 <= normal.length; i++) counts[fnv1a(normal.slice(i, i + 3)) % TEXT_NGRAMS_DIMS] += 1;
	return l2Normalise(counts);
}
