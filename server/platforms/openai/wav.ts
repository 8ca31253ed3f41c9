import { sniffAudioMime } from '../hosted/media';

/**
 * The playing time of WAV bytes, read from the header, so audio priced per minute can be
 * costed when OpenAI reports no duration. Undefined for other formats or odd headers.
 * A streamed WAV's data size may be a placeholder (0xFFFFFFFF), so only bytes present count.
 */
export function wavSeconds(bytes: Uint8Array): number | undefined {
	if (sniffAudioMime(bytes) !== 'audio/wav') return undefined;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const id = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
	let byteRate: number | undefined;
	for (let offset = 12; offset + 8 <= bytes.length; ) {
		const size = view.getUint32(offset + 4, true);
		// fmt chunk: format (2), channels (2), sample rate (4), byte rate (4), ...
		if (id(offset) === 'fmt ' && offset + 20 <= bytes.length) byteRate = view.getUint32(offset + 16, true);
		if (id(offset) === 'data') {
			if (!byteRate) return undefined;
			return Math.min(size, bytes.length - offset - 8) / byteRate;
		}
		offset += 8 + size + (size % 2);
	}
	return undefined;
}
