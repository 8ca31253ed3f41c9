import { describe, expect, it } from 'vitest';
import { listen } from './listen';
import { sing } from './sing';
import { iterateLoop, text, textOf, toneWav, wavBytes } from './test-fixtures';

const audio = (bytes: Uint8Array) => ({ kind: 'audio' as const, bytes, mime: 'audio/wav' as const });
const heard = async (bytes: Uint8Array) => textOf(await listen.run(audio(bytes), {}));

describe('local/listen', () => {
	it('hears a hand-synthesised 440 Hz tone as A4', async () => {
		expect(await heard(toneWav(440, 0.3, 16000))).toBe('A4 — level, steady rhythm');
		expect(await heard(toneWav(440, 1, 44100))).toBe('A4 long — level, steady rhythm');
	});

	it('hears low and high tones, 8-bit stereo too', async () => {
		expect(await heard(toneWav(65.41, 0.3, 22050))).toMatch(/^C2 /);
		expect(await heard(toneWav(1760, 0.15, 48000))).toBe('A6 short — level, steady rhythm');
		// 8-bit stereo, both channels carrying 261.6 Hz (C4).
		const frames = 8000 * 0.3;
		const data = new Uint8Array(frames * 2);
		for (let i = 0; i < frames; i++) data[2 * i] = data[2 * i + 1] = 128 + Math.round(100 * Math.sin((2 * Math.PI * 261.63 * i) / 8000));
		expect(await heard(wavBytes({ channels: 2, rate: 8000, bits: 8 }, data))).toBe('C4 — level, steady rhythm');
	});

	it('describes melody and rhythm, including rests', async () => {
		const tune = async (prompt: string) => heard(((await sing.run(text(prompt), {})) as { bytes: Uint8Array }).bytes);
		expect(await tune('C4 short E4 short G4 short')).toBe('C4 short E4 short G4 short — rising, steady rhythm');
		expect(await tune('G4 long E4 C4 short')).toBe('G4 long E4 C4 short — falling, varied rhythm');
		expect(await tune('C4 rest rest D4 C4')).toBe('C4 rest rest D4 C4 — wandering, varied rhythm');
	});

	it('hears a pitch struck again after only a breath as one held note', async () => {
		const tune = async (prompt: string) => heard(((await sing.run(text(prompt), {})) as { bytes: Uint8Array }).bytes);
		expect(await tune('C4 C4')).toBe('C4 long — level, steady rhythm');
		expect(await tune('C4 short C4 short E4 short')).toBe('C4 E4 short — rising, varied rhythm');
		expect(await tune('C4 rest C4')).toBe('C4 rest C4 — level, varied rhythm');
	});

	it('says silence for silence, and rejects what it cannot read', async () => {
		expect(await heard(wavBytes({ channels: 1, rate: 8000, bits: 16 }, new Uint8Array(16000)))).toBe('silence');
		const hiss = new Uint8Array(16000).map((_, i) => (i * 7919 + ((i * i) % 251)) % 256);
		expect(await heard(wavBytes({ channels: 1, rate: 8000, bits: 8 }, hiss))).toBe('noise');
		await expect(listen.run(text('hi'), {})).rejects.toThrow('local/listen expects WAV audio');
		await expect(listen.run(audio(new Uint8Array([1, 2, 3])), {})).rejects.toThrow(/local\/listen expects a PCM WAV file/);
		await expect(listen.run(audio(toneWav(440, 0.1, 8000)), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
	});
});

describe('the sing → listen loop', () => {
	const prompts = [
		'a dream of the sea at dawn',
		'red circle',
		'the quick brown fox jumps over the lazy dog',
		' ',
		'the',
		'C4 short E4 short G4 long',
		'high rising wind over low falling water',
		'rest rest C2 rest rest C7 long',
		'A#3 Bb3 c8 c1',
		'C2 C7 C2 C7 C2 C7',
		'a house by the river under a grey sky',
		'fire and snow, blood and milk, the forest at night',
		'Once upon a time, in a kingdom by the sea, there lived a princess who collected stones of every colour: ' +
			'crimson, azure, gold. Every evening she arranged them in circles and lines on the sand, waiting for the tide.'
	];

	it('drifts for a few steps, then settles on a fixed point or a short cycle, for every prompt', async () => {
		const rows: string[] = [];
		let drifting = 0;
		for (const prompt of prompts) {
			const { texts, settledAt, cycleLength } = await iterateLoop(sing, listen, prompt, 30);
			rows.push(`${JSON.stringify(prompt.slice(0, 40)).padEnd(44)} ${String(settledAt).padStart(2)} step(s), period ${cycleLength}: ${texts.at(-1)}`);
			expect(settledAt, `no repeat within 30 steps from ${JSON.stringify(prompt)}`).toBeDefined();
			expect(settledAt! + cycleLength!).toBeLessThanOrEqual(30);
			expect(cycleLength).toBeLessThanOrEqual(4);
			expect(texts.at(-1)).toMatch(/^(silence|.+ — (rising|falling|level|wandering), (steady|varied) rhythm)$/);
			if (settledAt! >= 2) drifting++;
		}
		console.info(`sing → listen: steps before the first repeat, and the period\n${rows.join('\n')}`);
		expect(drifting).toBeGreaterThanOrEqual(Math.ceil(prompts.length / 2));
	});

	it('settles from a recording sing did not make (a two-tone chirp with noise)', async () => {
		const rate = 16000;
		const data = new Uint8Array(rate * 2);
		const view = new DataView(data.buffer);
		let seed = 1;
		for (let i = 0; i < rate; i++) {
			const hz = i < rate / 2 ? 300 : 500;
			const noise = ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 2000) - 1000;
			view.setInt16(i * 2, Math.round(12000 * Math.sin((2 * Math.PI * hz * i) / rate)) + noise, true);
		}
		const first = await heard(wavBytes({ channels: 1, rate, bits: 16 }, data));
		// One unbroken sound, split where the pitch moves from 300 Hz (D4) to 500 Hz (B4).
		expect(first).toBe('D4 long B4 long — rising, steady rhythm');
		const { settledAt, cycleLength } = await iterateLoop(sing, listen, first, 30);
		expect(settledAt).toBeDefined();
		expect(cycleLength).toBeLessThanOrEqual(4);
	});
});
