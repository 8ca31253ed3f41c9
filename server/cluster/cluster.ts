import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { LocalBus, RedisBus, type ControlBus } from './bus';

/**
 * Which shape this process runs in, and the shared parts a cluster needs.
 *
 * - **single** (no `REDIS_URL`): today's one process on PGlite or PostgreSQL; everything that
 *   would be shared lives in memory.
 * - **cluster** (`DATABASE_URL` and `REDIS_URL`): N identical processes, no leader. Rooms
 *   replicate through Redis Streams, runs are leased through BullMQ, limits count in Redis,
 *   control messages go over Redis pub/sub (see README, "Cluster mode").
 *
 * Domain modules take a `Cluster` and ask `mode` only where the two shapes really differ; the
 * bus is the same interface in both.
 */
export interface Cluster {
	readonly mode: 'single' | 'cluster';
	/** Unique per process start: names this process in Redis (heartbeats, counters, stream readers). */
	readonly processId: string;
	/** Prefix of every Redis key and channel, so several deployments (or tests) share one Redis. */
	readonly prefix: string;
	/** Commands connection; null in single mode. Never put it in subscribe or blocking mode. */
	readonly redis: Redis | null;
	readonly bus: ControlBus;
	/**
	 * A new dedicated connection for blocking reads (XREAD BLOCK) or BullMQ, closed with the
	 * cluster. Throws in single mode.
	 */
	connection(name: string): Redis;
	close(): Promise<void>;
}

export interface ClusterSettings {
	redisUrl?: string;
	prefix: string;
	log?: Pick<Console, 'warn' | 'error'>;
}

export function newProcessId(): string {
	return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function singleProcess(processId = newProcessId()): Cluster {
	const bus = new LocalBus(processId);
	return {
		mode: 'single',
		processId,
		prefix: 'panic',
		redis: null,
		bus,
		connection() {
			throw new Error('Redis connections exist only in cluster mode (set REDIS_URL and DATABASE_URL).');
		},
		close: () => bus.close()
	};
}

/** Connects to Redis and checks it answers before the process starts serving. */
export async function connectCluster(settings: ClusterSettings & { redisUrl: string }): Promise<Cluster> {
	// Loaded here, not at the top: a single process never needs ioredis.
	const { Redis } = await import('ioredis');
	const processId = newProcessId();
	const log = settings.log ?? console;
	const connections: Redis[] = [];
	const connection = (name: string) => {
		// BullMQ's blocking connections need maxRetriesPerRequest null; a command connection
		// waits for a reconnect rather than failing a write during a Redis blip.
		const redis = new Redis(settings.redisUrl, { connectionName: `panic:${name}`, maxRetriesPerRequest: null, enableReadyCheck: true });
		redis.on('error', (error) => log.warn(`[redis] ${name}: ${error.message}`));
		connections.push(redis);
		return redis;
	};
	const redis = connection('commands');
	const subscriber = connection('bus');
	// The bus connection must be ready before its first SUBSCRIBE: ioredis ≥ 5.8 may send its
	// handshake (the ready check's INFO) after a SUBSCRIBE queued while connecting, Redis refuses
	// it in subscriber mode, and the subscription is lost (redis/ioredis#2037): a process then
	// sends on the bus but never hears it.
	await Promise.all([redis.ping(), subscriber.ping()]);
	const bus = new RedisBus(redis, subscriber, settings.prefix, processId, log);
	let closing: Promise<void> | null = null;
	return {
		mode: 'cluster',
		processId,
		prefix: settings.prefix,
		redis,
		bus,
		connection,
		close: () =>
			(closing ??= (async () => {
				await bus.close();
				await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
			})())
	};
}
