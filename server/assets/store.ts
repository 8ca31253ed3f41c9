import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { extForMime, isSha256, MIME_BY_EXT, type AssetExt } from './names';
import { sha256Hex } from './sha256';

export interface StoredAsset {
	sha256: string;
	ext: AssetExt;
	mime: string;
	size: number;
}

/**
 * Content-addressed storage for binary outputs (images, audio). Provider URLs expire, so
 * every binary is stored once here and served from `/assets/<sha256>.<ext>`. An interface,
 * so an S3-compatible store can stand in for the filesystem one.
 */
export interface AssetStore {
	/** Stores the bytes (idempotent: the same bytes give the same sha and one copy). */
	put(bytes: Uint8Array, mime: string): Promise<StoredAsset>;
	/** The bytes, or null when no asset has that hash (and extension). */
	get(sha256: string, ext?: AssetExt): Promise<Uint8Array | null>;
	has(sha256: string, ext?: AssetExt): Promise<boolean>;
}

export class UnsupportedMimeError extends Error {
	constructor(mime: string) {
		super(`Cannot store assets of type ${mime}.`);
		this.name = 'UnsupportedMimeError';
	}
}

/**
 * What storing `bytes` as `mime` means in every store: the MIME type decides the extension
 * (and is normalised to the one served back), the hash names the bytes.
 */
export async function describeAsset(bytes: Uint8Array, mime: string): Promise<StoredAsset> {
	const ext = extForMime(mime);
	if (!ext) throw new UnsupportedMimeError(mime);
	return { sha256: await sha256Hex(bytes), ext, mime: MIME_BY_EXT[ext], size: bytes.byteLength };
}

/** `<root>/<sha[0:2]>/<sha>.<ext>`; writes go to a temp file first and are renamed into place. */
export class FsAssetStore implements AssetStore {
	constructor(readonly root: string) {}

	async put(bytes: Uint8Array, mime: string): Promise<StoredAsset> {
		const asset = await describeAsset(bytes, mime);
		const { sha256, ext } = asset;
		const file = this.pathOf(sha256, ext);
		if (await exists(file)) return asset;
		await fs.mkdir(path.dirname(file), { recursive: true });
		// Rename is atomic within a directory: readers see no file or the whole file, and two
		// writers of the same bytes both succeed with identical content.
		const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
		try {
			await fs.writeFile(temp, bytes, { flag: 'wx' });
			await fs.rename(temp, file);
		} catch (error) {
			await fs.rm(temp, { force: true });
			throw error;
		}
		return asset;
	}

	async get(sha256: string, ext?: AssetExt): Promise<Uint8Array | null> {
		const file = await this.find(sha256, ext);
		if (!file) return null;
		try {
			// A view, not `new Uint8Array(buffer)`: V8 copies a Buffer into a new Uint8Array
			// element by element (~150 ms for 48 MB of sound, on the event loop).
			const buffer = await fs.readFile(file);
			return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	async has(sha256: string, ext?: AssetExt): Promise<boolean> {
		return (await this.find(sha256, ext)) !== null;
	}

	private pathOf(sha256: string, ext: AssetExt): string {
		return path.join(this.root, sha256.slice(0, 2), `${sha256}.${ext}`);
	}

	private async find(sha256: string, ext?: AssetExt): Promise<string | null> {
		if (!isSha256(sha256)) return null;
		const candidates = ext ? [ext] : (Object.keys(MIME_BY_EXT) as AssetExt[]);
		for (const candidate of candidates) {
			const file = this.pathOf(sha256, candidate);
			if (await exists(file)) return file;
		}
		return null;
	}
}

async function exists(file: string): Promise<boolean> {
	try {
		await fs.access(file);
		return true;
	} catch {
		return false;
	}
}
