import { createHash } from 'node:crypto';
import type { Db } from '../db/connect';
import type { Atlas } from '../shared/atlas';

/** Atlases kept per network: the newest few (an atlas of 500 runs is a few hundred KB). */
export const STORED_PER_NETWORK = 16;

/**
 * Computed atlases in the database (`atlas_cache`, migration 0016): what a fresh process, or
 * another process of a cluster, serves with one read instead of computing the atlas again.
 * Keys are what the atlas is of (see AtlasService), hashed; a key never names a stale atlas.
 */
export class AtlasStore {
	constructor(private db: Db) {}

	static keyOf(parts: unknown): string {
		return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
	}

	async get(key: string): Promise<Atlas | null> {
		const row = await this.db.selectFrom('atlas_cache').select('atlas').where('key', '=', key).executeTakeFirst();
		return row?.atlas ?? null;
	}

	/** Keeps the atlas, and only the newest STORED_PER_NETWORK of its network's. */
	async put(key: string, networkId: string, atlas: Atlas): Promise<void> {
		await this.db
			.insertInto('atlas_cache')
			.values({ key, network_id: networkId, atlas: JSON.stringify(atlas), created_at: new Date() })
			.onConflict((oc) => oc.column('key').doNothing())
			.execute();
		const keep = this.db
			.selectFrom('atlas_cache')
			.select('key')
			.where('network_id', '=', networkId)
			.orderBy('seq', 'desc')
			.limit(STORED_PER_NETWORK);
		await this.db.deleteFrom('atlas_cache').where('network_id', '=', networkId).where('key', 'not in', keep).execute();
	}

	/** Forgets the network's stored atlases (bench:atlas measures a fresh process computing one). */
	async forget(networkId: string): Promise<void> {
		await this.db.deleteFrom('atlas_cache').where('network_id', '=', networkId).execute();
	}
}
