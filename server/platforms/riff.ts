/**
 * RIFF containers (WAV, WebP): a 12-byte header, `RIFF`, the size of what follows and a form
 * type (`WAVE`, `WEBP`), then chunks of a four-character id, a little-endian size and a body
 * padded to an even length. The one reader of that layout: format sniffing asks for the form
 * type, WAV decoding and duration walk the chunks.
 */

const fourCc = (bytes: Uint8Array, offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));

/** The form type of a RIFF file (`WAVE`, `WEBP`, ...), or null when the bytes are not RIFF. */
export function riffForm(bytes: Uint8Array): string | null {
	return bytes.length >= 12 && fourCc(bytes, 0) === 'RIFF' ? fourCc(bytes, 8) : null;
}

export interface RiffChunk {
	id: string;
	/** The size the chunk declares (a streamed file may declare more than it holds). */
	size: number;
	/** The chunk's bytes that are present: at most `size`, fewer when the file is truncated. */
	body: Uint8Array;
}

/**
 * The chunks after the header, in file order, up to the end of the bytes. Callers check
 * `riffForm` first; a truncated last chunk comes with the bytes it has.
 */
export function* riffChunks(bytes: Uint8Array): Generator<RiffChunk> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let offset = 12; offset + 8 <= bytes.length; ) {
		const size = view.getUint32(offset + 4, true);
		const start = offset + 8;
		yield { id: fourCc(bytes, offset), size, body: bytes.subarray(start, Math.min(bytes.length, start + size)) };
		offset = start + size + (size % 2); // chunks are word-aligned
	}
}
