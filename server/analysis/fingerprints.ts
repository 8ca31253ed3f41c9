import type { Db } from '../db/connect';
import { compact } from './vector';

/**
 * The fingerprint cache: `output_fingerprints`, one vector per invocation and embedder.
 * Filled lazily by the run analysis (the engine keeps vectors in memory only: writing a
 * vector per step would cost the hot path a row and a few kilobytes of JSON for a run
 * nobody may analyse), so a second analysis, or one with a paid embedder, computes nothing.
 */
export async function loadFingerprints(db: Db, invocationIds: readonly string[], embedder: string): Promise<Map<string, number[]>> {
	const found = new Map<string, number[]>();
	for (let i = 0; i < invocationIds.length; i += 500) {
		const rows = await db
			.selectFrom('output_fingerprints')
			.select(['invocation_id', 'vector'])
			.where('embedder', '=', embedder)
			.where('invocation_id', 'in', invocationIds.slice(i, i + 500))
			.execute();
		for (const row of rows) found.set(row.invocation_id, row.vector);
	}
	return found;
}

export async function saveFingerprints(db: Db, embedder: string, vectors: ReadonlyMap<string, readonly number[]>): Promise<void> {
	const rows = [...vectors].map(([invocationId, vector]) => ({ invocation_id: invocationId, embedder, vector: JSON.stringify(compact(vector)) }));
	for (let i = 0; i < rows.length; i += 200) {
		await db
			.insertInto('output_fingerprints')
			.values(rows.slice(i, i + 200))
			.onConflict((oc) => oc.columns(['invocation_id', 'embedder']).doNothing())
			.execute();
	}
}
