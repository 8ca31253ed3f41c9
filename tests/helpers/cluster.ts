import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startHaproxy, type RunningHaproxy } from '../../scripts/cluster/haproxy';
import { createPostgresDatabase } from './databases';
import { freePort, startServer, type ServerOptions, type TestServer } from './server';

/**
 * Several real PANIC processes in cluster mode (the built server behind scripts/serve.js), on
 * one fresh PostgreSQL database and one Redis key prefix of their own, as `npm run cluster`
 * runs them. Needs TEST_DATABASE_URL and TEST_REDIS_URL (CI starts both). With `haproxy: true`,
 * HAProxy runs in front of them with deploy/haproxy.cfg (as `npm run cluster` renders it), and
 * the processes believe its X-Forwarded-For.
 */
export interface TestCluster {
	/** The processes, in start order; a killed one stays in its slot until `restart`. */
	processes: TestServer[];
	/** Where clients go: HAProxy with `haproxy: true`, else the first process. */
	url: string;
	/** HAProxy, with `haproxy: true`. */
	haproxy: RunningHaproxy | null;
	databaseUrl: string;
	redisUrl: string;
	prefix: string;
	/** The environment every process gets (beside PORT and its data directory). */
	env: Record<string, string>;
	/** Kills process `i` with `signal` (default SIGKILL) and waits until it is gone. */
	kill(i: number, signal?: NodeJS.Signals): Promise<void>;
	/** Starts a fresh process in slot `i` (after a kill): on its old port behind HAProxy, else on a new one. */
	restart(i: number): Promise<TestServer>;
	/** A Redis connection for the test to look at keys (closed with the cluster). */
	redis(): Redis;
	dispose(): Promise<void>;
}

export const clusterAvailable = (): boolean => !!process.env.TEST_DATABASE_URL && !!process.env.TEST_REDIS_URL;

export interface ClusterOptions {
	processes: number;
	env?: Record<string, string>;
	/** Put HAProxy in front (deploy/haproxy.cfg); `cluster.url` is then its address. */
	haproxy?: boolean;
}

export async function startCluster(opts: ClusterOptions): Promise<TestCluster> {
	const adminUrl = process.env.TEST_DATABASE_URL;
	const redisUrl = process.env.TEST_REDIS_URL;
	if (!adminUrl || !redisUrl) throw new Error('A test cluster needs TEST_DATABASE_URL and TEST_REDIS_URL.');
	const database = await createPostgresDatabase(adminUrl);
	const prefix = `panic-test-${randomBytes(4).toString('hex')}`;
	const env: Record<string, string> = {
		REDIS_URL: redisUrl,
		PANIC_REDIS_PREFIX: prefix,
		PANIC_SECRET_KEY: randomBytes(32).toString('base64'),
		PANIC_DUMMY_MODELS: '1',
		// Behind HAProxy, clients' addresses come from its X-Forwarded-For, believed from it alone.
		...(opts.haproxy ? { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1', PANIC_TRUSTED_PROXIES: '127.0.0.1,::1' } : {}),
		...opts.env
	};
	const serverOptions: ServerOptions = { databaseUrl: database.url, env };
	// Fixed ports behind HAProxy: its config names them, and a restarted process takes its slot's.
	const ports = opts.haproxy ? await Promise.all(Array.from({ length: opts.processes }, () => freePort())) : [];
	const start = (i: number) => startServer({ ...serverOptions, port: ports[i] });
	const processes: TestServer[] = [];
	const clients: Redis[] = [];
	let haproxy: RunningHaproxy | null = null;
	try {
		// The first runs the migrations alone; the rest start together.
		processes.push(await start(0));
		processes.push(...(await Promise.all(Array.from({ length: opts.processes - 1 }, (_, i) => start(i + 1)))));
		if (opts.haproxy) {
			haproxy = await startHaproxy({ port: await freePort(), servers: ports.map((port) => ({ host: '127.0.0.1', port })) });
		}
	} catch (error) {
		await Promise.all(processes.map((p) => p.dispose()));
		await database.drop();
		throw error;
	}
	return {
		processes,
		url: haproxy?.url ?? processes[0].url,
		haproxy,
		databaseUrl: database.url,
		redisUrl,
		prefix,
		env,
		async kill(i, signal = 'SIGKILL') {
			await processes[i].stop(signal);
		},
		async restart(i) {
			await processes[i].stop('SIGKILL');
			processes[i] = await start(i);
			return processes[i];
		},
		redis() {
			const client = new Redis(redisUrl, { maxRetriesPerRequest: null });
			clients.push(client);
			return client;
		},
		async dispose() {
			// A frozen (SIGSTOP) process cannot take SIGTERM until it is woken.
			for (const p of processes) if (p.process.exitCode === null) p.process.kill('SIGCONT');
			await haproxy?.stop();
			await Promise.all(processes.map((p) => p.dispose()));
			const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
			try {
				for (let cursor = '0'; ; ) {
					const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
					if (keys.length) await redis.del(...keys);
					if ((cursor = next) === '0') break;
				}
			} finally {
				redis.disconnect();
				for (const c of clients) c.disconnect();
			}
			await database.drop();
		}
	};
}
