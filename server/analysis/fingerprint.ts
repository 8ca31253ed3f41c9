import type { StoredPayload } from '../db/schema';
import { rgbOverWhite } from '../platforms/local/png';
import type { Payload } from '../shared/platforms/types';
import { embedderFor, nearRepeatThreshold } from './embedders/index';
import { textNgrams } from './embedders/text-ngrams';
import { featuresOf } from './embedders/image-features';
import { exactHash, pixelsHash, readPng, storedExactHash } from './exact-hash';

/** What the engine learns about an output while it still holds its bytes. */
export interface OutputFingerprint {
	exactHash: string;
	/** The default local embedder of the output's modality. */
	embedder: string;
	/** Null when the format cannot be read locally (a JPEG, an MP3). */
	vector: number[] | null;
	threshold: number;
}

/**
 * The exact hash and local fingerprint of an output in memory. Text costs microseconds;
 * a 256×256 PNG or a few seconds of WAV a few milliseconds (one decode serves both).
 */
export function fingerprintPayload(payload: Payload): OutputFingerprint {
	const embedder = embedderFor(payload.kind);
	if (payload.kind === 'image' && payload.mime === 'image/png') {
		// One decode serves both the hash and the features (decoding is most of the cost).
		const png = readPng(payload.bytes);
		if (png) return { exactHash: pixelsHash(png), embedder: embedder.id, vector: featuresOf(rgbOverWhite(png)), threshold: nearRepeatThreshold(embedder.id) };
	}
	return { exactHash: exactHash(payload), embedder: embedder.id, vector: embedder.embed(payload), threshold: nearRepeatThreshold(embedder.id) };
}

/**
 * The same from a stored payload, without fetching bytes: text in full; an asset gets its
 * content address as exact hash and no vector. For callers that never saw the bytes.
 */
export function fingerprintStored(stored: StoredPayload): OutputFingerprint {
	const embedder = embedderFor(stored.kind);
	const vector = stored.kind === 'text' ? textNgrams(stored.text) : null;
	return { exactHash: storedExactHash(stored), embedder: embedder.id, vector, threshold: nearRepeatThreshold(embedder.id) };
}
