/**
 * What a prompt's text may be, as pure functions: cleaned of control characters, 1–500
 * characters, and free of the network's blocked words.
 */
export const MAX_PROMPT_CHARS = 500;

// Line breaks and tabs become spaces (a prompt is one line on the projector); other control
// characters and the bidi overrides that can make a text display differently from what it
// says are removed.
const WHITESPACE_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
const OTHER_CONTROLS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export type CleanResult = { ok: true; text: string } | { ok: false; error: string };

export function cleanPrompt(raw: string): CleanResult {
	const text = raw.normalize('NFC').replace(WHITESPACE_CONTROLS, ' ').replace(OTHER_CONTROLS, '').trim();
	const length = [...text].length; // code points, so an emoji counts once
	if (length === 0) return { ok: false, error: 'Write something first.' };
	if (length > MAX_PROMPT_CHARS) return { ok: false, error: `A prompt is at most ${MAX_PROMPT_CHARS} characters (this one has ${length}).` };
	return { ok: true, text };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A matcher for a blocklist: each entry is a word or phrase matched case-insensitively as
 * whole words (so "ass" blocks "Ass!" but not "class"); spaces in a phrase match any run of
 * whitespace. Text is NFKC-folded first so full-width or styled letters do not slip past.
 */
export function blocklistMatcher(entries: readonly string[]): (text: string) => boolean {
	const phrases = entries
		.map((e) => e.normalize('NFKC').trim())
		.filter(Boolean)
		.map((e) => e.split(/\s+/).map(escape).join('\\s+'));
	if (!phrases.length) return () => false;
	const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${phrases.join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
	return (text) => pattern.test(text.normalize('NFKC'));
}
