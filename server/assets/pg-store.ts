import type { Db } from '../db/connect';
import { isSha256, MIME_BY_EXT, type AssetExt } from './names';
import { describeAsset, type AssetStore, type StoredAsset } from './store';

/** The order `get` without an extension tries them in, as the file store does. */
const EXTS = Object.keys(MIME_BY_EXT) as AssetExt[];

/**
 * Assets in the `assets` table, for cluster mode: a card's image is fetched by whichever
 * process ran the step and served by whichever process a phone reaches, so the bytes must not
 * sit on one machine's disk. Same names, same immutability as the file store; the row is the
 * unit of atomicity (a reader sees no asset or all of it).
 */
export class PgAssetStore implements AssetStore {
	constructor(private readonly db: Db) {}

	async put(bytes: Uint8Array, mime: string): Promise<StoredAsset> {
		const asset = await describeAsset(bytes, mime);
		// Content-addressed: a row already there holds these very bytes, so a second writer
		// (another process storing the same output) has nothing to add.
		await this.db
			.insertInto('assets')
			.values({ sha256: asset.sha256, ext: asset.ext, mime: asset.mime, size: asset.size, data: bytes })
			.onConflict((c) => c.columns(['sha256', 'ext']).doNothing())
			.execute();
		return asset;
	}

	async get(sha256: string, ext?: AssetExt): Promise<Uint8Array | null> {
		const found = await this.find(sha256, ext);
		if (!found) return null;
		const row = await this.db.selectFrom('assets').select('data').where('sha256', '=', sha256).where('ext', '=', found).executeTakeFirst();
		if (!row) return null;
		// pg hands back a Buffer: a view on it, not a copy (see FsAssetStore.get).
		const data = row.data;
		return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	}

	async has(sha256: string, ext?: AssetExt): Promise<boolean> {
		return (await this.find(sha256, ext)) !== null;
	}

	/** The stored extension for the hash (the requested one, or the first in EXTS order); never reads the bytes. */
	private async find(sha256: string, ext?: AssetExt): Promise<AssetExt | null> {
		if (!isSha256(sha256)) return null;
		let query = this.db.selectFrom('assets').select('ext').where('sha256', '=', sha256);
		if (ext) query = query.where('ext', '=', ext);
		const stored = new Set((await query.execute()).map((r) => r.ext));
		return EXTS.find((e) => stored.has(e)) ?? null;
	}
}
