import { describe, expect, it } from 'vitest';
import { wavBytes } from './test-fixtures';
import { decodeWav, encodeWav, wavSeconds } from './wav';

describe('wav helpers', () => {
	it('writes a 44-byte-header 16-bit mono PCM file that reads back', () => {
		const samples = Float32Array.from([0, 0.5, -0.5, 1, -1]);
		const bytes = encodeWav({ sampleRate: 16000, samples });
		expect(bytes.length).toBe(44 + 10);
		expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
		const view = new DataView(bytes.buffer);
		expect(view.getUint16(20, true)).toBe(1);
		expect(view.getUint16(34, true)).toBe(16);
		const decoded = decodeWav(bytes, 'test');
		expect(decoded.sampleRate).toBe(16000);
		decoded.samples.forEach((s, i) => expect(s).toBeCloseTo(samples[i], 3));
	});

	it('reads 8-bit stereo by averaging channels, and skips unknown chunks', () => {
		// Two frames: (L=255, R=129) and (L=0, R=128).
		const plain = wavBytes({ channels: 2, rate: 8000, bits: 8 }, Uint8Array.from([255, 129, 0, 128]));
		const decoded = decodeWav(plain, 'test');
		expect(decoded.samples.length).toBe(2);
		expect(decoded.samples[0]).toBeCloseTo((127 / 128 + 1 / 128) / 2, 5);
		expect(decoded.samples[1]).toBeCloseTo(-0.5, 5);

		// Same file with a LIST chunk between fmt and data.
		const list = Uint8Array.from([...new TextEncoder().encode('LIST'), 4, 0, 0, 0, 1, 2, 3, 4]);
		const withList = new Uint8Array([...plain.subarray(0, 36), ...list, ...plain.subarray(36)]);
		expect(decodeWav(withList, 'test').samples).toEqual(decoded.samples);
	});

	it('rejects float, 24-bit and non-WAV input clearly', () => {
		expect(() => decodeWav(wavBytes({ code: 3, channels: 1, rate: 8000, bits: 32 }, new Uint8Array(8)), 'local/listen')).toThrow(
			/local\/listen expects a PCM WAV file: format code 3/
		);
		expect(() => decodeWav(wavBytes({ channels: 1, rate: 8000, bits: 24 }, new Uint8Array(6)), 'local/listen')).toThrow(/24-bit/);
		expect(() => decodeWav(new TextEncoder().encode('ID3 an mp3 perhaps'), 'local/listen')).toThrow(/RIFF/);
	});
});

describe('wavSeconds', () => {
	const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(12_000) });

	it('reads the duration from the header', () => {
		expect(wavSeconds(wav)).toBe(1.5);
	});

	it('counts only the bytes present when the data size is a streaming placeholder', () => {
		const streamed = wav.slice();
		new DataView(streamed.buffer).setUint32(40, 0xffffffff, true);
		expect(wavSeconds(streamed)).toBe(1.5);
	});

	it('is undefined for audio that is not WAV', () => {
		expect(wavSeconds(new TextEncoder().encode('ID3 not a wav'))).toBeUndefined();
	});
});
