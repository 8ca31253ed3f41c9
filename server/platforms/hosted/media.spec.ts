import { describe, expect, it } from 'vitest';
import { encodeWav } from '../local/wav';
import { sniffAudioMime, sniffImageMime } from './media';

const bytesOf = (text: string) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)));

describe('format sniffing', () => {
	it('takes a RIFF file for WAV only when its form is WAVE, and for WebP only when it is WEBP', () => {
		const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(8) });
		expect(sniffAudioMime(wav)).toBe('audio/wav');
		expect(sniffImageMime(wav)).toBeNull();
		const avi = bytesOf('RIFF\x10\x00\x00\x00AVI LIST\x04\x00\x00\x00hdrl');
		expect(sniffAudioMime(avi)).toBeNull();
		expect(sniffImageMime(avi)).toBeNull();
		expect(sniffImageMime(bytesOf('RIFF\x04\x00\x00\x00WEBP'))).toBe('image/webp');
	});
});
