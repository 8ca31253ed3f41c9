import type { AudioMime, ImageMime, Modality, Payload } from '../../shared/platforms/types';
import { PlatformError } from '../platform';
import { riffForm } from '../riff';

/**
 * Bytes to and from providers. Formats are read from the bytes themselves (a provider's
 * Content-Type is often `application/octet-stream`), and every download is bounded.
 */

/** Largest output PANIC downloads from a provider (a long WAV or a large PNG fits). */
export const MAX_OUTPUT_BYTES = 50 * 1024 * 1024;

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** The MIME type of image bytes by their magic number, or null when not one we keep. */
export function sniffImageMime(bytes: Uint8Array): ImageMime | null {
	if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 4) === 'PNG') return 'image/png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (riffForm(bytes) === 'WEBP') return 'image/webp';
	if (bytes.length >= 6 && ascii(bytes, 0, 4) === 'GIF8') return 'image/gif';
	return null;
}

/** The MIME type of audio bytes by their magic number, or null when not one we keep. */
export function sniffAudioMime(bytes: Uint8Array): AudioMime | null {
	if (riffForm(bytes) === 'WAVE') return 'audio/wav';
	if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'fLaC') return 'audio/flac';
	if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'OggS') return 'audio/ogg';
	if (bytes.length >= 3 && ascii(bytes, 0, 3) === 'ID3') return 'audio/mpeg';
	// An MPEG audio frame header: 11 sync bits.
	if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'audio/mpeg';
	return null;
}

/**
 * A binary payload from provider bytes, its format read from the bytes. Throws an
 * `invalid_output` PlatformError when they are not an image/audio format PANIC keeps.
 */
export function binaryPayload(kind: Exclude<Modality, 'text'>, bytes: Uint8Array, source: string): Payload {
	if (kind === 'image') {
		const mime = sniffImageMime(bytes);
		if (!mime) throw new PlatformError(`${source} returned something that is not a PNG, JPEG, WebP or GIF image.`, { kind: 'invalid_output' });
		return { kind, bytes, mime };
	}
	const mime = sniffAudioMime(bytes);
	if (!mime) throw new PlatformError(`${source} returned something that is not WAV, MP3, Ogg or FLAC audio.`, { kind: 'invalid_output' });
	return { kind, bytes, mime };
}

/** `data:<mime>;base64,...` for a binary payload (how small files reach a provider inline). */
export function toDataUri(payload: Extract<Payload, { bytes: Uint8Array }>): string {
	return `data:${payload.mime};base64,${Buffer.from(payload.bytes).toString('base64')}`;
}

/** A file name with the right extension, for multipart uploads that want one. */
export function fileNameFor(payload: Extract<Payload, { bytes: Uint8Array }>): string {
	const ext: Record<string, string> = {
		'image/png': 'png',
		'image/jpeg': 'jpg',
		'image/webp': 'webp',
		'image/gif': 'gif',
		'audio/wav': 'wav',
		'audio/mpeg': 'mp3',
		'audio/ogg': 'ogg',
		'audio/flac': 'flac'
	};
	return `input.${ext[payload.mime] ?? 'bin'}`;
}
