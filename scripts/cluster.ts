// `npm run cluster -- --processes 3`: PANIC in cluster mode on this machine, for trying it out.
// N processes (scripts/serve.js) on consecutive ports after PORT, HAProxy on PORT (default 3000)
// with deploy/haproxy.cfg rendered for them; PostgreSQL from DATABASE_URL; Redis from REDIS_URL
// or a redis-server started here without persistence. Ctrl-C stops everything it started.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ensureBuild } from './build-if-stale.js';
import { startHaproxy, type RunningHaproxy } from './cluster/haproxy';
import { portIsFree, startPanicProcess, startRedis, type LocalRedis, type PanicProcess } from './cluster/local';

const USAGE = `Usage: DATABASE_URL=postgres://… npm run cluster -- [--processes N]

  --processes N   PANIC processes behind HAProxy (default 3)
Environment: DATABASE_URL (required, PostgreSQL), REDIS_URL (default: a local redis-server on a
free port, nothing saved), PANIC_SECRET_KEY (default: generated and printed once), PORT (HAProxy,
default 3000; processes take PORT+1…PORT+N), HOST (HAProxy's bind address, default 0.0.0.0).`;

const { values } = parseArgs({ options: { processes: { type: 'string', default: '3' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
	console.log(USAGE);
	process.exit(0);
}
const count = Number(values.processes);
if (!Number.isInteger(count) || count < 1 || count > 64) fail(`--processes must be a whole number from 1 to 64.\n\n${USAGE}`);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) fail(`Cluster mode runs on PostgreSQL: set DATABASE_URL=postgres://….\n\n${USAGE}`);
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
const ports = Array.from({ length: count }, (_, i) => port + 1 + i);
for (const p of [port, ...ports]) if (!(await portIsFree(p, p === port ? host : '127.0.0.1'))) fail(`Port ${p} is taken; set PORT to a free range (needs PORT…PORT+${count}).`);

let redis: LocalRedis | null = null;
let haproxy: RunningHaproxy | null = null;
const processes: PanicProcess[] = [];
let stopping = false;
async function stopAll(code: number) {
	if (stopping) return;
	stopping = true;
	console.log('[cluster] stopping…');
	await haproxy?.stop().catch(() => {});
	await Promise.all(processes.map((p) => p.stop().catch(() => {})));
	await redis?.stop().catch(() => {});
	process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
	let redisUrl = process.env.REDIS_URL;
	if (!redisUrl) {
		redis = await startRedis();
		redisUrl = redis.url;
		console.log(`[cluster] started redis-server at ${redisUrl} (nothing saved; gone when this stops)`);
	}
	let secretKey = process.env.PANIC_SECRET_KEY;
	if (!secretKey) {
		secretKey = randomBytes(32).toString('base64');
		// Provider keys saved in this database are encrypted with it: keep it to read them again.
		console.log(`[cluster] PANIC_SECRET_KEY was not set; generated one (set it next time to keep saved provider keys readable):\n  PANIC_SECRET_KEY=${secretKey}`);
	}
	ensureBuild();
	const env = {
		...process.env,
		DATABASE_URL: databaseUrl,
		REDIS_URL: redisUrl,
		PANIC_SECRET_KEY: secretKey,
		// Clients' addresses come from HAProxy (which replaces any X-Forwarded-For they send),
		// believed from HAProxy only: the processes listen on loopback, where HAProxy is.
		ADDRESS_HEADER: 'x-forwarded-for',
		XFF_DEPTH: '1',
		PANIC_TRUSTED_PROXIES: '127.0.0.1,::1'
	};
	const start = (i: number) => startPanicProcess({ port: ports[i], env, onLine: (line) => console.log(`[p${i + 1}] ${line}`) });
	// The first runs the migrations alone; the rest start together.
	processes.push(await start(0));
	processes.push(...(await Promise.all(ports.slice(1).map((_, i) => start(i + 1)))));
	haproxy = await startHaproxy({ host, port, servers: ports.map((p) => ({ host: '127.0.0.1', port: p })) });
	// Its warnings (a process down or back) come on stderr; stdout repeats them as log lines.
	haproxy.process.stderr!.on('data', (d) => process.stderr.write(`[haproxy] ${d}`));
	haproxy.process.once('exit', (code) => {
		if (!stopping) {
			console.error(`[cluster] HAProxy exited (${code}).`);
			void stopAll(1);
		}
	});
	for (const [i, p] of processes.entries()) {
		p.process.once('exit', (code, signal) => {
			if (!stopping) console.error(`[cluster] p${i + 1} exited (${code ?? signal}); HAProxy sends its networks elsewhere.`);
		});
	}
	console.log(`\n[cluster] PANIC in cluster mode: ${count} process${count === 1 ? '' : 'es'} behind HAProxy`);
	console.log(`[cluster]   open   http://localhost:${port}  (HAProxy, hashing on the network id)`);
	for (const [i, p] of processes.entries()) console.log(`[cluster]   p${i + 1}     ${p.url}`);
	console.log(`[cluster]   config ${haproxy.configFile}`);
	console.log('[cluster] Ctrl-C stops everything.');
} catch (error) {
	console.error(`[cluster] ${(error as Error).message}`);
	await stopAll(1);
}

function fail(message: string): never {
	console.error(message);
	process.exit(2);
}
