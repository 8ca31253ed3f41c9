import { sql } from 'kysely';
import type { Db } from '../db/connect';

/**
 * Where a room's Yjs updates live. A room is its rows replayed in `seq` order; Yjs updates
 * commute and are idempotent, so replaying a merged prefix plus the rows after it gives the
 * same document. Sequence numbers are Postgres bigints, carried as strings.
 */
export interface UpdateStore {
	load(room: string): Promise<{ updates: Uint8Array[]; lastSeq: string | null }>;
	/** Resolves once the update is durable, with its seq. */
	append(room: string, update: Uint8Array): Promise<string>;
	/** Replaces every row of `room` with seq ≤ `uptoSeq` by `merged`, atomically. */
	compact(room: string, merged: Uint8Array, uptoSeq: string): Promise<void>;
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
			await trx
				.deleteFrom('sync_updates')
				.where('room', '=', room)
				.where(sql<boolean>`seq <= ${uptoSeq}::bigint`)
				.execute();
			// The merged row takes the last replaced seq, so rows appended meanwhile still sort
			// after it and the next compaction's `uptoSeq` stays meaningful.
			await sql`insert into sync_updates (room, seq, data) values (${room}, ${uptoSeq}::bigint, ${merged})`.execute(trx);
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
		const rest = (this.rows.get(room) ?? []).filter((r) => r.seq > upto);
		this.rows.set(room, [{ seq: upto, data: merged.slice() }, ...rest]);
	}

	/** How many rows a room has, for tests. */
	rowCount(room: string): number {
		return this.rows.get(room)?.length ?? 0;
	}
}
