import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Bytes hashed per turn of the event loop: a millisecond or two of work. */
const SLICE = 1024 * 1024;

/**
 * The SHA-256 of `bytes` in hex, hashed a slice at a time with the event loop let through in
 * between: hashing a 60 MB file in one call takes 100 ms or more, a stall for every request.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const hash = createHash('sha256');
	for (let at = 0; at < bytes.byteLength; at += SLICE) {
		if (at > 0) await nextTurn();
		hash.update(bytes.subarray(at, at + SLICE));
	}
	return hash.digest('hex');
}
