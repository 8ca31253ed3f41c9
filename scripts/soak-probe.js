// bench:soak's window into a running server (scripts/bench/soak.ts). It answers only over the
// IPC channel of the parent that spawned this process, and scripts/serve.js attaches it only
// when PANIC_SOAK_PROBE=1 and such a channel exists: nothing here is reachable over HTTP, so a
// production server (started by `npm start`, no IPC channel) never exposes it.
//
// Messages in:  { id, type: 'sample' }              → { id, sample }
//               { id, type: 'heap-snapshot', path }  → { id, path }  (v8.writeHeapSnapshot)
//               { id, type: 'tables' }               → { id, tables }  (the biggest tables)
// A failure comes back as { id, error }.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { sql } from 'kysely';

/** @param {() => Promise<any> | undefined} instance the domain (globalThis[Symbol.for('panic.instance')]) */
export function attachSoakProbe(instance) {
	const delay = monitorEventLoopDelay({ resolution: 10 });
	delay.enable();
	let cards = 0;
	let subscribed = false;
	const subscribe = async () => {
		if (subscribed) return;
		const panic = await instance();
		if (!panic) return;
		subscribed = true;
		// One card per completed invocation, on every process (engine.observed).
		panic.engine.observed.on('card', () => cards++);
	};
	void subscribe();

	async function sample() {
		await subscribe();
		const panic = await instance();
		// Retained memory, not garbage still waiting for a collection: the trend is what matters,
		// and without this the heap's saw-tooth hides it for hours. Needs --expose-gc.
		const collected = typeof globalThis.gc === 'function';
		if (collected) globalThis.gc();
		const memory = process.memoryUsage();
		const handles = {};
		for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1;
		let dbBytes = null;
		try {
			const { rows } = await sql`select pg_database_size(current_database())::bigint as bytes`.execute(panic.db);
			dbBytes = Number(rows[0].bytes);
		} catch {
			// PGlite may not report it; bench:soak measures its data directory instead.
		}
		// Yjs structs per kind of room: a doc's history, tombstones included (graph rooms vs feed rooms).
		const rooms = { graphStructs: 0, feedStructs: 0 };
		for (const room of (await panic.rooms.stats?.()) ?? []) rooms[room.name.endsWith('/feed') ? 'feedStructs' : 'graphStructs'] += room.structs;
		const ms = (ns) => ns / 1e6;
		const result = {
			at: Date.now(),
			rss: memory.rss,
			heapUsed: memory.heapUsed,
			heapTotal: memory.heapTotal,
			external: memory.external,
			arrayBuffers: memory.arrayBuffers,
			gcBeforeSample: collected,
			loopDelayP50Ms: ms(delay.percentile(50)),
			loopDelayP99Ms: ms(delay.percentile(99)),
			loopDelayMaxMs: ms(delay.max),
			handles,
			cards,
			dbBytes,
			...rooms
		};
		delay.reset();
		return result;
	}

	/** The biggest tables, for telling history that is kept on purpose from bloat nobody vacuums. */
	async function tables() {
		const panic = await instance();
		const { rows } = await sql`
			select relname as table, pg_total_relation_size(relid)::bigint as bytes, n_live_tup::bigint as live, n_dead_tup::bigint as dead
			from pg_stat_user_tables order by pg_total_relation_size(relid) desc limit 10`.execute(panic.db);
		return rows.map((r) => ({ table: r.table, bytes: Number(r.bytes), live: Number(r.live), dead: Number(r.dead) }));
	}

	process.on('message', async (message) => {
		if (!message || typeof message !== 'object' || typeof message.id !== 'number') return;
		try {
			if (message.type === 'sample') process.send({ id: message.id, sample: await sample() });
			else if (message.type === 'tables') process.send({ id: message.id, tables: await tables() });
			else if (message.type === 'heap-snapshot') {
				if (typeof globalThis.gc === 'function') globalThis.gc();
				process.send({ id: message.id, path: v8.writeHeapSnapshot(String(message.path)) });
			} else process.send({ id: message.id, error: `unknown probe message ${message.type}` });
		} catch (error) {
			process.send({ id: message.id, error: String(error?.stack ?? error) });
		}
	});
	// The parent going away must not keep this server alive through the channel.
	process.channel?.unref();
}
