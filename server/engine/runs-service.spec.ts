import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { encodePng } from '../platforms/local/png';
import { encodeWav } from '../platforms/local/wav';
import { inputPayload } from './runs-service';

const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(80) });
const png = encodePng({ width: 1, height: 1, rgb: Uint8Array.from([1, 2, 3]) });
/** A RIFF file that is a video, not audio: the header WAV files share, another form type. */
const avi = 'RIFF\x10\x00\x00\x00AVI LIST\x04\x00\x00\x00hdrl';

function refusal(input: Parameters<typeof inputPayload>[0]): AppError {
	try {
		inputPayload(input);
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('the input was accepted');
}

describe('inputPayload', () => {
	it('takes text as it is', () => {
		expect(inputPayload('hi')).toEqual({ kind: 'text', text: 'hi' });
		expect(inputPayload({ kind: 'text', text: 'hi' })).toEqual({ kind: 'text', text: 'hi' });
	});

	it('accepts a real WAV and a real PNG', () => {
		expect(inputPayload({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(wav) })).toEqual({ kind: 'audio', mime: 'audio/wav', bytes: wav });
		expect(inputPayload({ kind: 'image', mime: 'image/png', dataBase64: base64(png) })).toEqual({ kind: 'image', mime: 'image/png', bytes: png });
	});

	it('refuses a RIFF file that is not WAVE, and bytes of another format, with a 400 saying what they are', () => {
		const riff = refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(avi) });
		expect(riff.status).toBe(400);
		expect(riff.message).toBe('The audio is not a valid audio/wav file.');
		expect(refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64('ID3\x04 an mp3 perhaps') }).message).toBe(
			'The audio is not a valid audio/wav file (its bytes are audio/mpeg).'
		);
		expect(refusal({ kind: 'image', mime: 'image/png', dataBase64: base64(wav) }).status).toBe(400);
		expect(refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(png) }).status).toBe(400);
	});
});
