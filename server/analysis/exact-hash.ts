import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import type { StoredPayload } from '../db/schema';
import { decodeWav } from '../platforms/local/wav';
import type { Payload } from '../shared/platforms/types';

/**
 * The exact hash of an output (`invocations.exact_hash`): equal content, equal hash, after
 * normalising away what a person cannot see or hear.
 *
 * - Text: trimmed and whitespace-collapsed, case kept. Whitespace is invisible on a card
 *   and varies with tokenisers (a trailing newline from one LLM, two spaces from another);
 *   case is not: `dummy/upper` turning "hello" into "HELLO" is a real change the loop made,
 *   and folding case would call that a fixed point.
 * - PNG: the decoded RGBA pixels with width and height, so the same picture re-encoded
 *   (another zlib level, filter, colour type, or metadata chunk) hashes alike.
 * - WAV: the decoded samples with the sample rate (any header chunks ignored).
 * - Other formats (JPEG, WebP, MP3, ...): the raw bytes; we have no decoder for them here.
 *
 * Undecodable PNG/WAV bytes fall back to the raw bytes instead of failing a run.
 */
export function exactHash(payload: Payload): string {
	if (payload.kind === 'text') return textHash(payload.text);
	if (payload.kind === 'image' && payload.mime === 'image/png') {
		const pixels = pngPixels(payload.bytes);
		if (pixels) return digest('png', pixels.header, pixels.data);
	}
	if (payload.kind === 'audio' && payload.mime === 'audio/wav') {
		const samples = wavSamples(payload.bytes);
		if (samples) return digest('wav', samples.header, samples.data);
	}
	return digest(`${payload.kind}:${payload.mime}`, new Uint8Array(0), payload.bytes);
}

/**
 * The exact hash from what the database or the controller holds without the bytes: text is
 * normalised as above; an asset falls back to its content address (raw bytes). Used where
 * the engine did not compute one (unit tests, runs recorded before exact hashes).
 */
export function storedExactHash(stored: StoredPayload): string {
	return stored.kind === 'text' ? textHash(stored.text) : stored.asset.sha256;
}

/** Whitespace runs collapsed to one space, ends trimmed; case kept (see above). */
export function normaliseText(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

export function textHash(text: string): string {
	return digest('text', new Uint8Array(0), Buffer.from(normaliseText(text), 'utf8'));
}

function digest(tag: string, header: Uint8Array, data: Uint8Array): string {
	return createHash('sha256').update(`${tag}\0`).update(header).update(data).digest('hex');
}

/** Decodes a PNG to 8-bit RGBA (pngjs expands every colour type and bit depth), or null. */
export function readPng(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } | null {
	try {
		return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
	} catch {
		return null;
	}
}

/** The exact hash of decoded RGBA pixels (for callers that decoded the PNG already). */
export function pixelsHash(png: { width: number; height: number; data: Uint8Array }): string {
	return digest('png', u32s(png.width, png.height), png.data);
}

function pngPixels(bytes: Uint8Array): { header: Uint8Array; data: Uint8Array } | null {
	const png = readPng(bytes);
	return png ? { header: u32s(png.width, png.height), data: png.data } : null;
}

function wavSamples(bytes: Uint8Array): { header: Uint8Array; data: Uint8Array } | null {
	try {
		const audio = decodeWav(bytes, 'exact hash');
		return { header: u32s(audio.sampleRate), data: new Uint8Array(audio.samples.buffer, audio.samples.byteOffset, audio.samples.byteLength) };
	} catch {
		return null;
	}
}

function u32s(...values: number[]): Uint8Array {
	const out = new Uint8Array(values.length * 4);
	const view = new DataView(out.buffer);
	values.forEach((v, i) => view.setUint32(i * 4, v, true));
	return out;
}
