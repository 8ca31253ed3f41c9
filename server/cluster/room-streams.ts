import type { Redis } from 'ioredis';
import type { RemoteRoom, Replication, RoomLink } from '../sync/replication';
import type { Cluster } from './cluster';

/**
 * Sync rooms replicated through Redis Streams, after y-redis's design: one stream per room,
 * `<prefix>:room:<name>`, holding each stored update (and each presence change) in the order
 * processes published them. Every process holding the room reads the stream and applies what
 * the others wrote; its own entries carry its process id and are skipped.
 *
 * Unlike y-redis, PostgreSQL is written first (the room's write queue) and the stream second,
 * so every update entry is already in the database: the stream only carries changes to live
 * replicas, and trimming it never loses an update. A process that had not read the trimmed
 * entries yet must reload the rows instead; it learns that from a marker each trim appends in
 * the same MULTI (`t=trim`, `upto=<last trimmed id>`): a reader whose position is below `upto`
 * missed something. Trims remove only entries older than `trimGraceMs`, so a reader a moment
 * behind never has to reload.
 *
 * A stream expires a day after its last entry: a reader would have to lag that long to miss
 * entries without seeing a marker.
 *
 * One reader per process: a dedicated connection in XREAD BLOCK over every followed room's
 * stream plus a wake stream of this process, `<prefix>:wake:<processId>`, to which following
 * a new room appends so the read returns and starts again with the new stream at once.
 */
export interface RoomStreamsOptions {
	/** Entries younger than this survive a trim (default 60 s). */
	trimGraceMs?: number;
	/** Also trim a room's stream after this process published this many entries to it (default 1000). */
	trimEvery?: number;
	/** Longest single XREAD BLOCK (default 10 s); new rooms wake it, so this only bounds idle loops. */
	blockMs?: number;
	log?: Pick<Console, 'warn' | 'error'>;
}

type Fields = Map<string, Buffer>;

const STREAM_TTL_MS = 24 * 3600_000;

export class RoomStreams implements Replication {
	private readonly links = new Map<string, StreamLink>();
	private readonly wakeKey: string;
	private wakeId = '0-0';
	private reader: Redis | null = null;
	private loop: Promise<void> | null = null;
	private closed = false;
	/** Set while reading is held (see `hold`): the loop waits on it before its next read. */
	private held: { resumed: Promise<void>; parked: () => void; resume: () => void } | null = null;
	private readonly trimGraceMs: number;
	readonly trimEvery: number;
	private readonly blockMs: number;
	readonly log: Pick<Console, 'warn' | 'error'>;
	readonly redis: Redis;

	constructor(
		readonly cluster: Cluster,
		options: RoomStreamsOptions = {}
	) {
		if (!cluster.redis) throw new Error('Room streams need Redis (cluster mode).');
		this.redis = cluster.redis;
		this.wakeKey = `${cluster.prefix}:wake:${cluster.processId}`;
		this.trimGraceMs = options.trimGraceMs ?? 60_000;
		this.trimEvery = options.trimEvery ?? 1000;
		this.blockMs = options.blockMs ?? 10_000;
		this.log = options.log ?? console;
	}

	key(room: string): string {
		return `${this.cluster.prefix}:room:${room}`;
	}

	async attach(room: string): Promise<RoomLink> {
		const key = this.key(room);
		const last = await this.redis.xrevrange(key, '+', '-', 'COUNT', 1);
		return new StreamLink(this, room, key, last.length ? last[0][0] : '0-0');
	}

	async deleted(rooms: string[]): Promise<void> {
		if (rooms.length) await this.redis.del(...rooms.map((r) => this.key(r)));
	}

	/** Stops the reader. Rooms are unloaded first (SyncRooms.close), which closes their links. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.held?.resume();
		await this.wake().catch(() => {});
		await this.loop;
		await this.redis.del(this.wakeKey).catch(() => {});
		await this.reader?.quit().catch(() => this.reader?.disconnect());
	}

	/**
	 * Stops reading until the returned function is called, as a process that fell behind
	 * (a long GC pause, a saturated event loop) would: for tests of catching up after a trim.
	 * Resolves once the reader is parked; entries already read are delivered first.
	 */
	async hold(): Promise<() => void> {
		let resume!: () => void;
		let parked!: () => void;
		const resumed = new Promise<void>((r) => (resume = r));
		const isParked = new Promise<void>((r) => (parked = r));
		this.held = { resumed, parked, resume };
		if (this.loop) await this.wake();
		else parked();
		await isParked;
		return () => {
			this.held = null;
			resume();
		};
	}

	/** How many rooms the reader follows (for tests). */
	get following(): number {
		return this.links.size;
	}

	follow(link: StreamLink): void {
		if (this.closed) return;
		const previous = this.links.get(link.key);
		if (previous && previous !== link) this.log.warn(`[room-streams] ${link.room} was followed twice; the older link stops`);
		this.links.set(link.key, link);
		this.loop ??= this.run();
		this.wake().catch((error) => this.log.warn(`[room-streams] waking the reader failed: ${error.message}`));
	}

	unfollow(link: StreamLink): void {
		if (this.links.get(link.key) === link) this.links.delete(link.key);
	}

	/**
	 * Appends an entry; `fields` alternate names and values. The stream of a room nobody
	 * writes any more expires a day after its last entry (its updates are all in the database),
	 * so Redis does not keep every room ever opened.
	 */
	async append(key: string, fields: Array<string | Buffer>): Promise<void> {
		await this.redis.multi().xadd(key, '*', 'p', this.cluster.processId, ...fields).pexpire(key, STREAM_TTL_MS).exec();
	}

	/**
	 * Removes the entries older than the grace period and appends the trim marker, in one
	 * MULTI so no reader sees the gap without the marker after it.
	 */
	async trim(key: string): Promise<void> {
		const before = Date.now() - this.trimGraceMs;
		const last = await this.redis.xrevrange(key, `${before}`, '-', 'COUNT', 1);
		if (!last.length) return;
		const upto = last[0][0];
		await this.redis
			.multi()
			.xtrim(key, 'MINID', successor(upto))
			.xadd(key, '*', 'p', this.cluster.processId, 't', 'trim', 'upto', upto)
			.exec();
	}

	private async wake(): Promise<void> {
		await this.redis.multi().xadd(this.wakeKey, 'MAXLEN', '~', '16', '*', 'w', '1').pexpire(this.wakeKey, 3_600_000).exec();
	}

	private async run(): Promise<void> {
		this.reader = this.cluster.connection('room-streams');
		while (!this.closed) {
			if (this.held) {
				this.held.parked();
				await this.held.resumed;
				continue;
			}
			const links = [...this.links.values()];
			const keys = [this.wakeKey, ...links.map((l) => l.key)];
			const ids = [this.wakeId, ...links.map((l) => l.position)];
			let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
			try {
				reply = (await this.reader.xreadBuffer('COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...ids)) as typeof reply;
			} catch (error) {
				if (this.closed) break;
				this.log.warn(`[room-streams] reading failed; retrying: ${(error as Error).message}`);
				await new Promise((resolve) => setTimeout(resolve, 250));
				continue;
			}
			for (const [keyBytes, entries] of reply ?? []) {
				const key = keyBytes.toString();
				if (key === this.wakeKey) {
					if (entries.length) this.wakeId = entries[entries.length - 1][0].toString();
					continue;
				}
				const link = this.links.get(key);
				if (link) await link.deliver(entries);
			}
		}
	}
}

class StreamLink implements RoomLink {
	private target: RemoteRoom | null = null;
	private published = 0;
	private closed = false;

	constructor(
		private readonly streams: RoomStreams,
		readonly room: string,
		readonly key: string,
		/** The id of the last entry read (or seen when attaching). */
		public position: string
	) {}

	start(target: RemoteRoom): void {
		if (this.closed) return;
		this.target = target;
		this.streams.follow(this);
		// Tells the processes already holding the room to repeat who is there.
		this.send(['t', 'q']);
	}

	publishUpdate(update: Uint8Array, seq: string): void {
		this.send(['t', 'u', 's', seq, 'd', Buffer.from(update.buffer, update.byteOffset, update.byteLength)]);
	}

	publishAwareness(update: Uint8Array): void {
		this.send(['t', 'a', 'd', Buffer.from(update.buffer, update.byteOffset, update.byteLength)]);
	}

	compacted(): void {
		this.trim();
	}

	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.target = null;
		this.streams.unfollow(this);
	}

	async deliver(entries: Array<[Buffer, Buffer[]]>): Promise<void> {
		for (const [idBytes, raw] of entries) {
			const target = this.target;
			if (!target) return;
			const id = idBytes.toString();
			const fields: Fields = new Map();
			for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i].toString(), raw[i + 1]);
			const kind = fields.get('t')?.toString();
			const behind = kind === 'trim' && compareIds(this.position, fields.get('upto')?.toString() ?? '0-0') < 0;
			this.position = id;
			try {
				if (behind) {
					// Entries this process never read were trimmed; they are all in the database.
					this.streams.log.warn(`[room-streams] ${this.room}: fell behind a trim; reloading from the database`);
					await target.reload();
					continue;
				}
				if (fields.get('p')?.toString() === this.streams.cluster.processId) continue;
				const data = fields.get('d');
				if (kind === 'u' && data) target.applyUpdate(new Uint8Array(data), fields.get('s')?.toString() ?? null);
				else if (kind === 'a' && data) target.applyAwareness(new Uint8Array(data));
				else if (kind === 'q') target.presenceWanted();
			} catch (error) {
				this.streams.log.error(`[room-streams] ${this.room}: applying entry ${id} failed`, error);
			}
		}
	}

	/** Appends in call order (one commands connection), so a room's entries keep its order. */
	private send(fields: Array<string | Buffer>) {
		if (this.closed) return;
		this.streams.append(this.key, fields).catch((error) => this.streams.log.error(`[room-streams] ${this.room}: publishing failed`, error));
		if (++this.published % this.streams.trimEvery === 0) this.trim();
	}

	private trim() {
		this.streams.trim(this.key).catch((error) => this.streams.log.warn(`[room-streams] ${this.room}: trimming failed: ${error.message}`));
	}
}

function parseId(id: string): [bigint, bigint] {
	const [ms, seq = '0'] = id.split('-');
	return [BigInt(ms), BigInt(seq)];
}

export function compareIds(a: string, b: string): number {
	const [am, as] = parseId(a);
	const [bm, bs] = parseId(b);
	if (am !== bm) return am < bm ? -1 : 1;
	return as === bs ? 0 : as < bs ? -1 : 1;
}

/** The smallest id after `id`: XTRIM MINID keeps ids ≥ it, so everything up to `id` goes. */
function successor(id: string): string {
	const [ms, seq] = parseId(id);
	return `${ms}-${seq + 1n}`;
}
