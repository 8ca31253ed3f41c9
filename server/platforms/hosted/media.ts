import type { AudioMime, ImageMime, Modality, Payload } from '../types';
import { PlatformError } from '../platform';

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
	if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
	if (bytes.length >= 6 && ascii(bytes, 0, 4) === 'GIF8') return 'image/gif';
	return null;
}

/** The MIME type of audio bytes by their magic number, or null when not one we keep. */
export function sniffAudioMime(bytes: Uint8Array): AudioMime | null {
	if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WAVE') return 'audio/wav';
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

/**
 * Downloads an output file a provider points at (Replicate file URLs, say), at most
 * `maxBytes`, following the caller's abort signal. Only http(s) URLs are fetched.
 */
export async function downloadOutput(
	url: string,
	options: { signal: AbortSignal; fetch?: typeof fetch; maxBytes?: number; headers?: Record<string, string>; source: string }
): Promise<Uint8Array> {
	const { signal, maxBytes = MAX_OUTPUT_BYTES, source } = options;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new PlatformError(`${source} returned an output address PANIC could not read.`, { kind: 'invalid_output' });
	}
	if (parsed.protocol === 'data:') return decodeDataUri(url, source);
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new PlatformError(`${source} returned an output address PANIC will not fetch (${parsed.protocol}).`, { kind: 'invalid_output' });
	}
	let response: Response;
	try {
		response = await (options.fetch ?? fetch)(parsed, { signal, headers: options.headers });
	} catch (error) {
		if (signal.aborted) throw signal.reason;
		throw new PlatformError(`${source}'s output file could not be downloaded.`, { kind: 'unavailable', cause: error });
	}
	if (!response.ok) {
		await response.body?.cancel().catch(() => {});
		const kind = response.status >= 500 || response.status === 429 ? 'unavailable' : 'invalid_output';
		throw new PlatformError(`${source}'s output file could not be downloaded (${response.status}).`, { kind, status: response.status });
	}
	const declared = Number(response.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > maxBytes) {
		await response.body?.cancel().catch(() => {});
		throw tooLarge(source, maxBytes);
	}
	const chunks: Uint8Array[] = [];
	let total = 0;
	const reader = response.body?.getReader();
	while (reader) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxBytes) {
			await reader.cancel().catch(() => {});
			throw tooLarge(source, maxBytes);
		}
		chunks.push(value);
	}
	return Buffer.concat(chunks);
}

function tooLarge(source: string, maxBytes: number) {
	return new PlatformError(`${source}'s output is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`, { kind: 'invalid_output' });
}

function decodeDataUri(uri: string, source: string): Uint8Array {
	const match = /^data:[^,;]*(;[^,]*)?,(.*)$/s.exec(uri);
	if (!match) throw new PlatformError(`${source} returned a data URI PANIC could not read.`, { kind: 'invalid_output' });
	return match[1]?.includes(';base64') ? Buffer.from(match[2], 'base64') : Buffer.from(decodeURIComponent(match[2]), 'utf8');
}
