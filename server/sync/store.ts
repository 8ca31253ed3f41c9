import { sql } from 'kysely';
import * as Y from 'yjs';
import type { Db } from '../db/connect';

/**
 * Where a room's Yjs updates live. A room is its rows replayed in `seq` order; Yjs updates
 * commute and are idempotent, so replaying a merged prefix plus the rows after it gives the
 * same document. Sequence numbers are Postgres bigints, carried as strings.
 */
/**
 * Updates as one, with deleted content collected. `Y.mergeUpdates` keeps whichever copy of an
 * item it meets first, so a row written before a delete brings the deleted content back into
 * the merge, and a compacted room would carry everything ever trimmed from it (a feed's cards:
 * megabytes after 10,000 steps). Applying them to a doc lets Yjs collect it; what cannot be
 * applied yet (a missing dependency) stays pending, and the encoded state carries it too.
 */
export function collectedState(updates: readonly Uint8Array[]): Uint8Array {
	const doc = new Y.Doc();
	try {
		doc.transact(() => {
			for (const update of updates) Y.applyUpdate(doc, update);
		});
		return Y.encodeStateAsUpdate(doc);
	} finally {
		doc.destroy();
	}
}

export interface UpdateStore {
	load(room: string): Promise<{ updates: Uint8Array[]; lastSeq: string | null }>;
	/**
	 * Resolves once the update is durable, with its seq. `authors` are the principals of the
	 * sessions whose changes it holds (none for the server's own); stores may ignore them, and
	 * the history learns who edited from them (server/history/edit-watch.ts).
	 */
	append(room: string, update: Uint8Array, authors?: readonly string[]): Promise<string>;
	/**
	 * Replaces every row of `room` with seq ≤ `uptoSeq` by one row holding them merged with
	 * `merged`, atomically. Merging (rather than overwriting) keeps rows another process
	 * appended that the caller's doc does not hold yet.
	 */
	compact(room: string, merged: Uint8Array, uptoSeq: string): Promise<void>;
	/**
	 * A history compaction (server/sync/history-compaction.ts): every row of `room` gives way
	 * to one row holding `state`, the compacted doc, atomically. Unlike `compact` it does not
	 * merge: the old rows would bring the compacted history back. So it only replaces what the
	 * caller has seen: if a row after `uptoSeq` exists (another process appended one), nothing
	 * changes and it resolves false.
	 */
	replace(room: string, state: Uint8Array, uptoSeq: string): Promise<boolean>;
}

/** `sync_updates` through the app's Kysely instance; the same SQL runs on PGlite and pg. */
export class KyselyUpdateStore implements UpdateStore {
	constructor(private readonly db: Db) {}

	async load(room: string) {
		// seq::text: pg returns int8 as a string but PGlite as a number, which loses precision
		// past 2^53; text is exact on both. It gets its own alias because ORDER BY prefers an
		// output column of the same name, and text order puts '10' before '9'.
		const rows = await this.db
			.selectFrom('sync_updates')
			.select(['data', sql<string>`seq::text`.as('seq_text')])
			.where('room', '=', room)
			.orderBy('seq')
			.execute();
		return {
			// pg hands back Buffers that may be views into a shared pool; copy into plain arrays.
			updates: rows.map((r) => new Uint8Array(r.data)),
			lastSeq: rows.length ? rows[rows.length - 1].seq_text : null
		};
	}

	async append(room: string, update: Uint8Array) {
		const row = await this.db
			.insertInto('sync_updates')
			.values({ room, data: update })
			.returning(sql<string>`seq::text`.as('seq'))
			.executeTakeFirstOrThrow();
		return row.seq;
	}

	async compact(room: string, merged: Uint8Array, uptoSeq: string) {
		await this.db.transaction().execute(async (trx) => {
			// One compaction of a room at a time, across processes: two interleaved ones could
			// each delete rows the other's merge was read without.
			await sql`select pg_advisory_xact_lock(hashtext(${`sync_updates:${room}`}))`.execute(trx);
			// Several processes append to a room: rows up to `uptoSeq` may hold updates the
			// caller's doc has not received yet, so they are merged in rather than replaced.
			const rows = await trx
				.deleteFrom('sync_updates')
				.where('room', '=', room)
				.where(sql<boolean>`seq <= ${uptoSeq}::bigint`)
				.returning('data')
				.execute();
			const state = rows.length ? collectedState([...rows.map((r) => new Uint8Array(r.data)), merged]) : merged;
			// The merged row takes the last replaced seq, so rows appended meanwhile still sort
			// after it and the next compaction's `uptoSeq` stays meaningful.
			await sql`insert into sync_updates (room, seq, data) values (${room}, ${uptoSeq}::bigint, ${state})`.execute(trx);
		});
	}

	async replace(room: string, state: Uint8Array, uptoSeq: string) {
		return this.db.transaction().execute(async (trx) => {
			// The same lock as compact: a compaction elsewhere must not interleave with the swap.
			await sql`select pg_advisory_xact_lock(hashtext(${`sync_updates:${room}`}))`.execute(trx);
			const newer = await trx
				.selectFrom('sync_updates')
				.select('seq')
				.where('room', '=', room)
				.where(sql<boolean>`seq > ${uptoSeq}::bigint`)
				.limit(1)
				.execute();
			if (newer.length) return false;
			await trx.deleteFrom('sync_updates').where('room', '=', room).execute();
			await sql`insert into sync_updates (room, seq, data) values (${room}, ${uptoSeq}::bigint, ${state})`.execute(trx);
			return true;
		});
	}
}

/** The same contract in memory, for unit tests of rooms. */
export class MemoryUpdateStore implements UpdateStore {
	private rows = new Map<string, Array<{ seq: bigint; data: Uint8Array }>>();
	private nextSeq = 1n;

	async load(room: string) {
		const rows = this.rows.get(room) ?? [];
		return { updates: rows.map((r) => r.data.slice()), lastSeq: rows.length ? String(rows[rows.length - 1].seq) : null };
	}

	async append(room: string, update: Uint8Array) {
		const seq = this.nextSeq++;
		let rows = this.rows.get(room);
		if (!rows) this.rows.set(room, (rows = []));
		rows.push({ seq, data: update.slice() });
		return String(seq);
	}

	async compact(room: string, merged: Uint8Array, uptoSeq: string) {
		const upto = BigInt(uptoSeq);
		const rows = this.rows.get(room) ?? [];
		const replaced = rows.filter((r) => r.seq <= upto).map((r) => r.data);
		const rest = rows.filter((r) => r.seq > upto);
		const data = replaced.length ? collectedState([...replaced, merged]) : merged.slice();
		this.rows.set(room, [{ seq: upto, data }, ...rest]);
	}

	async replace(room: string, state: Uint8Array, uptoSeq: string) {
		const upto = BigInt(uptoSeq);
		const rows = this.rows.get(room) ?? [];
		if (rows.some((r) => r.seq > upto)) return false;
		this.rows.set(room, [{ seq: upto, data: state.slice() }]);
		return true;
	}

	/** How many rows a room has, for tests. */
	rowCount(room: string): number {
		return this.rows.get(room)?.length ?? 0;
	}
}
