import { LENGTH_SECONDS, MAX_NOTES, clampToRange, frequencyToMidi } from './notes';
import { estimatePitch } from './pitch';
import type { Audio } from './wav';

const FRAME_SECONDS = 0.01;
/** Quieter gaps than this are breaths inside one note, not a gap between two. */
const MERGE_GAP_FRAMES = 3;
/** Sounds shorter than this are clicks, not notes. */
const MIN_NOTE_FRAMES = 5;
/** Pitch analysis runs at no more than this rate: plenty for fundamentals up to C7. */
const ANALYSIS_RATE = 30000;
/** Only the start of a long recording is heard, which bounds the work. */
const MAX_ANALYSED_SECONDS = 20;
/**
 * A sound longer than any note sing makes is probably several notes run together
 * (speech, music): it is split wherever its pitch, measured every BLOCK_SECONDS, changes.
 */
const SPLIT_LONGER_THAN = LENGTH_SECONDS.long + 0.1;
const BLOCK_SECONDS = 0.1;

export interface HeardNote {
	/** MIDI number, or null when the sound had no clear pitch. */
	midi: number | null;
	seconds: number;
	/** Silence before this note, in seconds (0 for the first). */
	gapBefore: number;
}

/** Halves the sample rate (averaging pairs) until it is at most ANALYSIS_RATE, to keep pitch search cheap. */
function downsample(audio: Audio): Audio {
	let { samples, sampleRate } = audio;
	samples = samples.subarray(0, Math.round(MAX_ANALYSED_SECONDS * sampleRate));
	while (sampleRate > ANALYSIS_RATE) {
		const half = new Float32Array(samples.length >> 1);
		for (let i = 0; i < half.length; i++) half[i] = (samples[2 * i] + samples[2 * i + 1]) / 2;
		samples = half;
		sampleRate /= 2;
	}
	return { samples, sampleRate };
}

const midiOf = (samples: Float32Array, sampleRate: number) => {
	const hz = estimatePitch(samples, sampleRate);
	return hz === undefined ? null : clampToRange(frequencyToMidi(hz));
};

/** Stretches of steady pitch inside one long sound, each at least two blocks long. */
function splitByPitch(sound: Float32Array, sampleRate: number): { midi: number | null; blocks: number }[] {
	const blockLength = Math.round(BLOCK_SECONDS * sampleRate);
	const runs: { midi: number | null; blocks: number }[] = [];
	for (let at = 0; at + blockLength <= sound.length; at += blockLength) {
		const midi = midiOf(sound.subarray(at, at + blockLength), sampleRate);
		if (runs.at(-1)?.midi === midi) runs.at(-1)!.blocks++;
		else runs.push({ midi, blocks: 1 });
	}
	// A one-block blip (a slide, a consonant) belongs to the note before it.
	const steady: typeof runs = [];
	for (const run of runs) {
		const last = steady.at(-1);
		if (last && (run.blocks === 1 || run.midi === last.midi)) last.blocks += run.blocks;
		else if (last && last.blocks === 1) Object.assign(last, { midi: run.midi, blocks: last.blocks + run.blocks });
		else steady.push({ ...run });
	}
	return steady;
}

/**
 * Splits audio into notes where the loudness (RMS per 10 ms frame) drops below a
 * tenth of the loudest frame, then names each note's pitch from its steady middle.
 */
export function hearNotes(input: Audio): HeardNote[] {
	const { samples, sampleRate } = downsample(input);
	const frame = Math.max(1, Math.round(sampleRate * FRAME_SECONDS));
	const frameCount = Math.floor(samples.length / frame);
	const loudness = new Float32Array(frameCount);
	let loudest = 0;
	for (let f = 0; f < frameCount; f++) {
		let sum = 0;
		for (let i = f * frame; i < (f + 1) * frame; i++) sum += samples[i] * samples[i];
		loudness[f] = Math.sqrt(sum / frame);
		loudest = Math.max(loudest, loudness[f]);
	}
	const threshold = Math.max(0.01, 0.1 * loudest);

	const spans: [start: number, end: number][] = [];
	for (let f = 0; f < frameCount; f++) {
		if (loudness[f] < threshold) continue;
		const last = spans.at(-1);
		if (last && f - last[1] <= MERGE_GAP_FRAMES) last[1] = f + 1;
		else spans.push([f, f + 1]);
	}

	const notes: HeardNote[] = [];
	let previousEnd: number | undefined;
	for (const [start, end] of spans) {
		if (end - start < MIN_NOTE_FRAMES) continue;
		const seconds = (end - start) * FRAME_SECONDS;
		const sound = samples.subarray(start * frame, end * frame);
		const gapBefore = previousEnd === undefined ? 0 : (start - previousEnd) * FRAME_SECONDS;
		previousEnd = end;
		const runs = seconds > SPLIT_LONGER_THAN ? splitByPitch(sound, sampleRate) : [];
		if (runs.length > 1) {
			const blocks = runs.reduce((sum, run) => sum + run.blocks, 0);
			runs.forEach((run, i) => notes.push({ midi: run.midi, seconds: (seconds * run.blocks) / blocks, gapBefore: i === 0 ? gapBefore : 0 }));
		} else {
			// Skip the attack and release: the middle of a note holds its truest pitch.
			const middle = sound.subarray(Math.floor(sound.length * 0.2), Math.floor(sound.length * 0.8));
			notes.push({ midi: midiOf(middle, sampleRate), seconds, gapBefore });
		}
		if (notes.filter((n) => n.midi !== null).length >= MAX_NOTES) break;
	}
	return notes;
}
