/**
 * Note names shared by local/sing (which reads them) and local/listen (which writes
 * them). MIDI numbers are the common currency: A4 = 69 = 440 Hz.
 */
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const STEPS: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/** The range sing will produce and listen will report: C2 (65 Hz) to C7 (2093 Hz). */
export const LOWEST_NOTE = 36;
export const HIGHEST_NOTE = 96;

/** MIDI number of a note name such as "C4", "a#3", "Bb2" or "F♯5"; undefined if the word is not one. */
export function parseNoteName(word: string): number | undefined {
	const match = /^([a-g])(#|♯|b|♭)?(-?\d)$/i.exec(word);
	if (!match) return undefined;
	const accidental = match[2] === '#' || match[2] === '♯' ? 1 : match[2] ? -1 : 0;
	return (Number(match[3]) + 1) * 12 + STEPS[match[1].toLowerCase()] + accidental;
}

/** "A4" for 69. Sharps, never flats, so each pitch has exactly one spelling. */
export function noteName(midi: number): string {
	return `${NAMES[((midi % 12) + 12) % 12]}${Math.floor(midi / 12) - 1}`;
}

export const midiToFrequency = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
export const frequencyToMidi = (hz: number) => Math.round(69 + 12 * Math.log2(hz / 440));

/** Moves a note by whole octaves into the playable range, keeping its name's letter. */
export function clampToRange(midi: number): number {
	let note = midi;
	while (note < LOWEST_NOTE) note += 12;
	while (note > HIGHEST_NOTE) note -= 12;
	return note;
}

/** Note lengths in seconds; listen's boundaries sit between them. */
export type Length = 'short' | 'medium' | 'long';
export const LENGTH_SECONDS: Record<Length, number> = { short: 0.15, medium: 0.3, long: 0.6 };
export const SHORT_BELOW = 0.22;
export const LONG_FROM = 0.45;

/** Silence between consecutive notes, and the extra silence each "rest" adds. */
export const NOTE_GAP_SECONDS = 0.06;
export const REST_SECONDS = 0.3;

/** A tune longer than this is cut short: sing stops adding notes, listen stops reporting them. */
export const MAX_NOTES = 24;
export const MAX_SECONDS = 10;

/** Words listen uses to sum a tune up; sing reads them as moods, never as notes. */
export const CONTOURS = ['rising', 'falling', 'level', 'wandering'] as const;
export const RHYTHMS = ['steady', 'varied'] as const;
