import { hearNotes, type HeardNote } from './hear';
import type { LocalModel } from './model';
import { LONG_FROM, NOTE_GAP_SECONDS, REST_SECONDS, SHORT_BELOW, noteName, type Length } from './notes';
import { expectAudio, textPayload, throwIfAborted } from './payload';
import { decodeWav } from './wav';

/**
 * Two notes of one pitch with no more silence than this between them (sing leaves
 * 0.06 s between notes, a rest adds 0.3 s) are heard as one held note.
 */
const TIE_GAP_SECONDS = 0.1;

/** Ties repeated notes: a pitch struck again after only a breath is heard as one longer note. */
export function tieRepeats(notes: HeardNote[]): HeardNote[] {
	const tied: HeardNote[] = [];
	for (const note of notes) {
		const last = tied.at(-1);
		if (last && note.midi !== null && note.midi === last.midi && note.gapBefore <= TIE_GAP_SECONDS) {
			last.seconds += note.gapBefore + note.seconds;
		} else {
			tied.push({ ...note });
		}
	}
	return tied;
}

function lengthOf(seconds: number): Length {
	return seconds < SHORT_BELOW ? 'short' : seconds >= LONG_FROM ? 'long' : 'medium';
}

/** The overall shape of the melody: which way consecutive pitches move. */
function contour(pitches: number[]): string {
	let ups = 0;
	let downs = 0;
	for (let i = 1; i < pitches.length; i++) {
		if (pitches[i] > pitches[i - 1]) ups++;
		if (pitches[i] < pitches[i - 1]) downs++;
	}
	if (ups && !downs) return 'rising';
	if (downs && !ups) return 'falling';
	return ups || downs ? 'wandering' : 'level';
}

/**
 * Writes what was heard in words local/sing sings back unchanged:
 * "C4 short E4 G4 long — rising, varied rhythm". Unpitched sounds and long
 * silences become "rest"; medium notes carry no length word; a repeated pitch with
 * only a breath between is written as one held note ("C4 C4" is heard as "C4 long").
 */
export function describeNotes(heard: HeardNote[]): string {
	const notes = tieRepeats(heard);
	const words: string[] = [];
	const lengths = new Set<Length>();
	for (const note of notes) {
		const rests = Math.max(0, Math.round((note.gapBefore - NOTE_GAP_SECONDS) / REST_SECONDS));
		if (words.length > 0) for (let i = 0; i < rests; i++) words.push('rest');
		if (note.midi === null) {
			if (words.length > 0) words.push('rest');
			continue;
		}
		const length = lengthOf(note.seconds);
		lengths.add(length);
		words.push(length === 'medium' ? noteName(note.midi) : `${noteName(note.midi)} ${length}`);
	}
	while (words.at(-1) === 'rest') words.pop();
	const hasRests = words.includes('rest');
	const pitches = notes.flatMap((n) => (n.midi === null ? [] : [n.midi]));
	// Sound without pitch (noise, whispering) is "noise"; sing hears that word as a pause.
	if (pitches.length === 0) return notes.length > 0 ? 'noise' : 'silence';
	const rhythm = lengths.size === 1 && !hasRests ? 'steady' : 'varied';
	return `${words.join(' ')} — ${contour(pitches)}, ${rhythm} rhythm`;
}

export const listen: LocalModel = {
	info: {
		id: 'local/listen',
		platform: 'local',
		name: 'Listen',
		input: 'audio',
		output: 'text',
		description:
			'Listens to a WAV recording and writes down the notes it hears (a repeated pitch with only a breath between counts as one held note), their lengths and the shape of the tune, e.g. "C4 short E4 G4 long — rising, varied rhythm".',
		homepage: '/models#local/listen',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/listen');
		const audio = decodeWav(expectAudio(input, 'local/listen'), 'local/listen');
		return textPayload(describeNotes(hearNotes(audio)));
	}
};
