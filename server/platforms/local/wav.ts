import { riffChunks, riffForm } from '../riff';

/** Mono audio in memory: samples in [-1, 1]. */
export interface Audio {
	sampleRate: number;
	samples: Float32Array;
}

/** Writes a canonical 44-byte-header RIFF WAVE file: PCM, 16-bit, mono. */
export function encodeWav({ sampleRate, samples }: Audio): Uint8Array {
	const bytes = new Uint8Array(44 + samples.length * 2);
	const view = new DataView(bytes.buffer);
	const ascii = (offset: number, text: string) => {
		for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
	};
	ascii(0, 'RIFF');
	view.setUint32(4, 36 + samples.length * 2, true);
	ascii(8, 'WAVE');
	ascii(12, 'fmt ');
	view.setUint32(16, 16, true); // fmt chunk size
	view.setUint16(20, 1, true); // PCM
	view.setUint16(22, 1, true); // mono
	view.setUint32(24, sampleRate, true);
	view.setUint32(28, sampleRate * 2, true); // byte rate
	view.setUint16(32, 2, true); // block align
	view.setUint16(34, 16, true); // bits per sample
	ascii(36, 'data');
	view.setUint32(40, samples.length * 2, true);
	for (let i = 0; i < samples.length; i++) {
		const clamped = Math.max(-1, Math.min(1, samples[i]));
		view.setInt16(44 + i * 2, Math.round(clamped * 32767), true);
	}
	return bytes;
}

/** A WAV's `fmt ` chunk: the sample format, before any conversion. */
export interface WavFormat {
	/** 1 is integer PCM; for WAVE_FORMAT_EXTENSIBLE, the code inside its sub-format. */
	code: number;
	channels: number;
	sampleRate: number;
	byteRate: number;
	bits: number;
}

/**
 * The format and sample bytes of a WAV, or null when the bytes are not RIFF/WAVE. Walks the
 * chunk list rather than assuming a 44-byte header, because files from other tools often
 * carry LIST or fact chunks before the data. Either part is missing when the file lacks it;
 * truncated sample data (a streamed file whose size is a placeholder) is what is there.
 */
export function readWav(bytes: Uint8Array): { format?: WavFormat; data?: Uint8Array } | null {
	if (riffForm(bytes) !== 'WAVE') return null;
	let format: WavFormat | undefined;
	for (const chunk of riffChunks(bytes)) {
		if (chunk.id === 'fmt ' && chunk.body.length >= 16) {
			const view = new DataView(chunk.body.buffer, chunk.body.byteOffset, chunk.body.byteLength);
			let code = view.getUint16(0, true);
			// WAVE_FORMAT_EXTENSIBLE: the real format code is the first 2 bytes of the sub-format GUID.
			if (code === 0xfffe && chunk.body.length >= 26) code = view.getUint16(24, true);
			format = { code, channels: view.getUint16(2, true), sampleRate: view.getUint32(4, true), byteRate: view.getUint32(8, true), bits: view.getUint16(14, true) };
		} else if (chunk.id === 'data') {
			return { format, data: chunk.body };
		}
	}
	return { format };
}

/**
 * The playing time of WAV bytes, read from the header, so audio priced per minute can be
 * costed when a provider reports no duration. Undefined for other formats or odd headers.
 * A streamed WAV's data size may be a placeholder (0xFFFFFFFF), so only bytes present count.
 */
export function wavSeconds(bytes: Uint8Array): number | undefined {
	const wav = readWav(bytes);
	return wav?.format?.byteRate && wav.data ? wav.data.length / wav.format.byteRate : undefined;
}

/** Reads an integer-PCM WAV (8 or 16 bit, any channel count; channels are averaged to mono). */
export function decodeWav(bytes: Uint8Array, modelId: string): Audio {
	const fail = (why: string): never => {
		throw new Error(`${modelId} expects a PCM WAV file: ${why}`);
	};
	const wav = readWav(bytes);
	if (!wav) return fail('missing RIFF/WAVE header');
	const { format, data } = wav;
	if (!format) return fail('no fmt chunk');
	if (!data) return fail('no data chunk');
	if (format.code !== 1) fail(`format code ${format.code} is not integer PCM`);
	if (format.bits !== 8 && format.bits !== 16) fail(`${format.bits}-bit samples are not supported (use 8 or 16)`);
	if (format.channels < 1 || format.sampleRate < 1000) fail('bad channel count or sample rate');

	const bytesPerSample = format.bits / 8;
	const frameSize = bytesPerSample * format.channels;
	const frames = Math.floor(data.length / frameSize);
	const samples = new Float32Array(frames);
	const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
	for (let frame = 0; frame < frames; frame++) {
		let sum = 0;
		for (let channel = 0; channel < format.channels; channel++) {
			const at = frame * frameSize + channel * bytesPerSample;
			// 8-bit WAV is unsigned around 128; 16-bit is signed little-endian.
			sum += format.bits === 8 ? (data[at] - 128) / 128 : dataView.getInt16(at, true) / 32768;
		}
		samples[frame] = sum / format.channels;
	}
	return { sampleRate: format.sampleRate, samples };
}
