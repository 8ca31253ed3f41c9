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

/**
 * Reads an integer-PCM WAV (8 or 16 bit, any channel count; channels are averaged to
 * mono). Walks the chunk list rather than assuming a 44-byte header, because files
 * from other tools often carry LIST or fact chunks before the data.
 */
export function decodeWav(bytes: Uint8Array, modelId: string): Audio {
	const fail = (why: string): never => {
		throw new Error(`${modelId} expects a PCM WAV file: ${why}`);
	};
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
	if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') fail('missing RIFF/WAVE header');

	let format: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
	let data: Uint8Array | undefined;
	for (let offset = 12; offset + 8 <= bytes.length; ) {
		const id = tag(offset);
		const size = view.getUint32(offset + 4, true);
		const body = offset + 8;
		if (id === 'fmt ' && size >= 16) {
			let code = view.getUint16(body, true);
			// WAVE_FORMAT_EXTENSIBLE: the real format code is the first 2 bytes of the sub-format GUID.
			if (code === 0xfffe && size >= 26) code = view.getUint16(body + 24, true);
			format = {
				code,
				channels: view.getUint16(body + 2, true),
				sampleRate: view.getUint32(body + 4, true),
				bits: view.getUint16(body + 14, true)
			};
		} else if (id === 'data') {
			// Truncated files (size larger than what is there) still yield what they hold.
			data = bytes.subarray(body, Math.min(bytes.length, body + size));
			break;
		}
		offset = body + size + (size % 2); // chunks are word-aligned
	}
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
