import { fnv1a } from './hash';
import type { LocalModel } from './model';
import {
	CONTOURS, HIGHEST_NOTE, LENGTH_SECONDS, LOWEST_NOTE, MAX_NOTES, MAX_SECONDS, NOTE_GAP_SECONDS, REST_SECONDS, RHYTHMS,
	clampToRange, midiToFrequency, parseNoteName, type Length
} from './notes';
import { audioPayload, expectText, throwIfAborted } from './payload';
import { tokenise } from './words';
import { encodeWav } from './wav';

export const SING_SAMPLE_RATE = 22050;
/** Quiet lead-in and tail, so the first and last notes are not clipped by players. */
const EDGE_SECONDS = 0.05;
/** The major pentatonic scale: any sequence of its notes sounds tuneful. */
const PENTATONIC = [0, 2, 4, 7, 9];
/** The widest leap, in semitones (a major third), sing lands cleanly without a long note's time. */
export const QUICK_LEAP = 4;

export interface TuneEvent {
	/** MIDI note number, or null for a rest. */
	midi: number | null;
	length: Length;
}

const LENGTH_WORDS: Record<string, Length> = { short: 'short', quick: 'short', brief: 'short', medium: 'medium', long: 'long', slow: 'long' };
const REST_WORDS = new Set(['rest', 'pause', 'silence', 'noise']);
/** Words that describe the tune rather than add to it (listen's summary, "rhythm"). */
const MOOD_WORDS = new Set<string>([...CONTOURS, ...RHYTHMS, 'rhythm']);

/**
 * Turns text into notes. Note names ("C4", "A#3", "Bb2") are read exactly; "short",
 * "long" set the length of the note before; "rest" adds a pause; "high"/"low" move
 * later word-notes up or down an octave and "rising"/"falling" make them climb or
 * fall. Every other word is a note: pitch hashed onto a pentatonic scale, length
 * from how long the word is.
 */
export function parseTune(text: string): TuneEvent[] {
	const events: TuneEvent[] = [];
	let register = 4;
	let direction: 'rising' | 'falling' | undefined;
	let lastPitch: number | undefined;
	for (const word of tokenise(text)) {
		if (events.filter((e) => e.midi !== null).length >= MAX_NOTES) break;
		const named = parseNoteName(word);
		if (named !== undefined) {
			lastPitch = clampToRange(named);
			events.push({ midi: lastPitch, length: 'medium' });
		} else if (word in LENGTH_WORDS) {
			const last = events.at(-1);
			if (last && last.midi !== null) last.length = LENGTH_WORDS[word];
		} else if (REST_WORDS.has(word)) {
			if (events.length > 0) events.push({ midi: null, length: 'medium' });
		} else if (word === 'high' || word === 'low') {
			register = word === 'high' ? 5 : 3;
		} else if (MOOD_WORDS.has(word)) {
			if (word === 'rising' || word === 'falling') direction = word;
		} else {
			lastPitch = wordPitch(word, register, direction, lastPitch);
			events.push({ midi: lastPitch, length: word.length <= 3 ? 'short' : word.length >= 7 ? 'long' : 'medium' });
		}
	}
	while (events.at(-1)?.midi === null) events.pop(); // a trailing rest is just silence
	return events;
}

function wordPitch(word: string, register: number, direction: 'rising' | 'falling' | undefined, previous?: number): number {
	const degree = fnv1a(word) % 10; // two octaves of the pentatonic scale
	let midi = (register + 1) * 12 + 12 * Math.floor(degree / 5) + PENTATONIC[degree % 5];
	if (previous !== undefined && direction === 'rising') {
		while (midi <= previous && midi + 12 <= HIGHEST_NOTE) midi += 12;
	} else if (previous !== undefined && direction === 'falling') {
		while (midi >= previous && midi - 12 >= LOWEST_NOTE) midi -= 12;
	}
	return clampToRange(midi);
}

/**
 * The pitches sing actually sings. Only a long note gives it time to reach a wide
 * leap: a short or medium note more than QUICK_LEAP semitones from the note sung just
 * before (no rest between) falls short of it by a third of the leap, and at least a
 * whole tone. So a tune with wide quick leaps, written down by local/listen and sung
 * again, narrows them round after round (a two-octave leap takes about five rounds)
 * until every such leap is a third or less. Everything else is sung as written.
 */
export function performedPitches(events: TuneEvent[]): (number | null)[] {
	let previous: number | null = null;
	return events.map(({ midi, length }) => {
		if (midi === null) return (previous = null);
		let sung = midi;
		const leap = previous === null ? 0 : midi - previous;
		if (length !== 'long' && Math.abs(leap) > QUICK_LEAP) {
			sung = midi - Math.sign(leap) * Math.max(2, Math.floor(Math.abs(leap) / 3));
		}
		return (previous = sung);
	});
}

/**
 * Renders the events, at the pitches sing performs them (performedPitches), as a soft
 * organ-like tone (fundamental plus two quieter harmonics) with short fades so notes
 * start and stop without clicks.
 */
export function renderTune(events: TuneEvent[]): Float32Array {
	const rate = SING_SAMPLE_RATE;
	const chunks: { midi: number | null; seconds: number }[] = [];
	const pitches = performedPitches(events);
	let total = 2 * EDGE_SECONDS;
	for (const [i, event] of events.entries()) {
		const seconds = event.midi === null ? REST_SECONDS : LENGTH_SECONDS[event.length];
		const gap = chunks.length > 0 ? NOTE_GAP_SECONDS : 0;
		if (total + gap + seconds > MAX_SECONDS) break;
		if (gap) chunks.push({ midi: null, seconds: gap });
		chunks.push({ midi: pitches[i], seconds });
		total += gap + seconds;
	}
	const samples = new Float32Array(Math.round(total * rate));
	let at = Math.round(EDGE_SECONDS * rate);
	for (const { midi, seconds } of chunks) {
		const length = Math.round(seconds * rate);
		if (midi !== null) {
			const step = (2 * Math.PI * midiToFrequency(midi)) / rate;
			const attack = 0.01 * rate;
			const release = 0.04 * rate;
			for (let i = 0; i < length; i++) {
				const envelope = Math.min(1, i / attack, (length - i) / release);
				const phase = step * i;
				samples[at + i] = 0.45 * envelope * (Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.15 * Math.sin(3 * phase));
			}
		}
		at += length;
	}
	return samples;
}

export const sing: LocalModel = {
	info: {
		id: 'local/sing',
		platform: 'local',
		name: 'Sing',
		input: 'text',
		output: 'audio',
		description:
			'Sings text as a short tune (16-bit mono WAV): note names like "C4 short E4 long" are sung as written, except that a quick note leaping more than a third falls short of it; every other word becomes a note whose pitch comes from the word.',
		homepage: '/models#local/sing',
		defaults: {}
	},
	async run(input, _params, signal) {
		throwIfAborted(signal, 'local/sing');
		const text = expectText(input, 'local/sing');
		return audioPayload(encodeWav({ sampleRate: SING_SAMPLE_RATE, samples: renderTune(parseTune(text)) }));
	}
};
