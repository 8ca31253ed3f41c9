import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { badRequest } from '../errors';
import type { ZipEntry } from './zip-directory';

const inflate = promisify(inflateRaw);

/**
 * An entry's bytes. Deflated data is inflated by zlib on libuv's thread pool, so the event
 * loop never waits on it, and inflating stops as soon as the output passes the size the
 * directory declared: a stream that holds more (a ZIP bomb behind a small declared size)
 * costs its declared size (at least 64 KB) of inflating, not its gigabytes. An entry that
 * holds more or less than it declares is refused.
 */
export async function inflateEntry(archive: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
	const data = archive.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
	if (entry.method === 0) return data;
	const name = entry.name.slice(0, 100);
	let bytes: Uint8Array;
	try {
		// One output chunk of the declared size, plus the byte that shows a lie: no pile of
		// small buffers to join (each a garbage collection's worth of external memory).
		bytes = await inflate(data, { maxOutputLength: Math.max(1, entry.size), chunkSize: Math.max(64 * 1024, entry.size + 1) });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
			throw badRequest(`${name} holds more than the ${entry.size} bytes the ZIP declares for it: this is not a PANIC export.`);
		}
		throw badRequest(`${name} is damaged (${(error as Error).message}). Export the run again.`);
	}
	if (bytes.byteLength !== entry.size) {
		throw badRequest(`${name} holds ${bytes.byteLength} bytes, not the ${entry.size} the ZIP declares for it. Export the run again.`);
	}
	return bytes;
}
