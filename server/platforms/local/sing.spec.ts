import { describe, expect, it } from 'vitest';
import { hearNotes } from './hear';
import { noteName, parseNoteName } from './notes';
import { SING_SAMPLE_RATE, parseTune, performedPitches, sing } from './sing';
import { text } from './test-fixtures';
import { decodeWav } from './wav';

async function sung(prompt: string) {
	const out = await sing.run(text(prompt), {});
	if (out.kind !== 'audio') throw new Error('sing should return audio');
	return out.bytes;
}

describe('note names', () => {
	it('parse sharps, flats and octaves, and print one spelling', () => {
		expect(parseNoteName('a4')).toBe(69);
		expect(parseNoteName('c4')).toBe(60);
		expect(parseNoteName('a#3')).toBe(58);
		expect(parseNoteName('bb3')).toBe(58);
		expect(parseNoteName('hello')).toBeUndefined();
		expect(noteName(58)).toBe('A#3');
		expect(noteName(36)).toBe('C2');
	});
});

describe('parseTune', () => {
	it('sings note names exactly, with lengths and rests, ignoring summary words', () => {
		expect(parseTune('C4 short E4 rest G4 long — rising, varied rhythm')).toEqual([
			{ midi: 60, length: 'short' },
			{ midi: 64, length: 'medium' },
			{ midi: null, length: 'medium' },
			{ midi: 67, length: 'long' }
		]);
	});

	it('turns other words into pentatonic notes, lengths from word length', () => {
		const tune = parseTune('a dream of the extraordinary sea');
		expect(tune.map((e) => e.length)).toEqual(['short', 'medium', 'short', 'short', 'long', 'short']);
		for (const { midi } of tune) expect([0, 2, 4, 7, 9]).toContain(midi! % 12);
		expect(parseTune('a dream of the extraordinary sea')).toEqual(tune);
	});

	it('honours high, low, rising and falling for word notes', () => {
		const rising = parseTune('rising one two three four five six').map((e) => e.midi!);
		for (let i = 1; i < rising.length; i++) {
			// Climbs until it runs out of range, then starts again lower.
			if (rising[i] < rising[i - 1]) expect(rising[i - 1] + 12).toBeGreaterThan(96);
			else expect(rising[i]).toBeGreaterThan(rising[i - 1]);
		}
		const [low] = parseTune('low wind').map((e) => e.midi!);
		const [high] = parseTune('high wind').map((e) => e.midi!);
		expect(high - low).toBe(24);
	});

	it('caps the tune at 24 notes and moves out-of-range notes by octaves', () => {
		expect(parseTune(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')).filter((e) => e.midi !== null)).toHaveLength(24);
		expect(parseTune('C9 C0').map((e) => noteName(e.midi!))).toEqual(['C7', 'C2']);
	});
});

describe('performedPitches', () => {
	it('sings notes as written, except that quick leaps wider than a third fall short', () => {
		expect(performedPitches(parseTune('C4 short E4 short G4 long rest C6 short'))).toEqual([60, 64, 67, null, 84]);
		// C4 → C5 is 12 semitones: a medium note falls a third of that (4) short, on G#4; downwards too.
		expect(performedPitches(parseTune('C4 C5'))).toEqual([60, 68]);
		expect(performedPitches(parseTune('C5 C4'))).toEqual([72, 64]);
		// A leap of five falls at least a whole tone short.
		expect(performedPitches(parseTune('C4 F4 short'))).toEqual([60, 63]);
		// A long note has time to get there, and a rest starts afresh.
		expect(performedPitches(parseTune('C4 C5 long'))).toEqual([60, 72]);
		expect(performedPitches(parseTune('C4 rest C5'))).toEqual([60, null, 72]);
		// Each note leaps from the pitch actually sung before it.
		expect(performedPitches(parseTune('C4 C5 C6'))).toEqual([60, 68, 79]);
	});
});

describe('local/sing', () => {
	it('writes a 16-bit mono WAV whose notes listen hears back', async () => {
		const bytes = await sung('C4 short E4 G4 long');
		const view = new DataView(bytes.buffer, bytes.byteOffset);
		expect(view.getUint16(22, true)).toBe(1); // mono
		expect(view.getUint16(34, true)).toBe(16);
		expect(view.getUint32(24, true)).toBe(SING_SAMPLE_RATE);
		const notes = hearNotes(decodeWav(bytes, 'test'));
		expect(notes.map((n) => noteName(n.midi!))).toEqual(['C4', 'E4', 'G4']);
		expect(notes[0].seconds).toBeLessThan(0.22);
		expect(notes[2].seconds).toBeGreaterThan(0.45);
		// The quick octave leap is sung, and heard, a major third short.
		expect(hearNotes(decodeWav(await sung('C4 C5'), 'test')).map((n) => noteName(n.midi!))).toEqual(['C4', 'G#4']);
	});

	it('is deterministic and keeps even a long paragraph under 10 seconds', async () => {
		const paragraph = 'extraordinary '.repeat(60);
		const bytes = await sung(paragraph);
		// Buffer.equals, because vitest's deep equality walks big typed arrays slowly.
		expect(Buffer.from(await sung(paragraph)).equals(Buffer.from(bytes))).toBe(true);
		expect(decodeWav(bytes, 'test').samples.length / SING_SAMPLE_RATE).toBeLessThanOrEqual(10);
	});

	it('rejects non-text input and an aborted signal', async () => {
		await expect(sing.run({ kind: 'audio', bytes: new Uint8Array(), mime: 'audio/wav' }, {})).rejects.toThrow(/local\/sing expects text/);
		await expect(sing.run(text('la'), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
	});
});
