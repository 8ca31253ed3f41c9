import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pieces of a cluster on this machine: a throwaway Redis and PANIC processes (scripts/serve.js). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REDIS_BIN = process.env.REDIS_SERVER_BIN || 'redis-server';

export async function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, host, () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

export interface LocalRedis {
	url: string;
	stop(): Promise<void>;
}

/**
 * redis-server on a free loopback port, nothing saved (no RDB, no AOF): state for trying the
 * cluster out, gone when it stops.
 */
export async function startRedis(): Promise<LocalRedis> {
	const port = await freePort();
	const child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (d) => (output += d));
	child.stderr!.on('data', (d) => (output += d));
	const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`Cannot start ${REDIS_BIN} (apt-get install redis-server): ${e.message}`))));
	await Promise.race([waitUntil(() => /Ready to accept connections/.test(output), child, () => output, 'redis-server'), failed]);
	return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

export interface PanicProcess {
	url: string;
	port: number;
	process: ChildProcess;
	output(): string;
	stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * One production server (scripts/serve.js, the built bundle) on `port`, resolved once
 * /api/health answers. `onLine` sees its output line by line.
 */
export async function startPanicProcess(opts: { port: number; env: Record<string, string | undefined>; onLine?: (line: string) => void }): Promise<PanicProcess> {
	const child = spawn(process.execPath, [path.join(ROOT, 'scripts/serve.js')], {
		cwd: ROOT,
		env: { ...opts.env, PORT: String(opts.port), HOST: '127.0.0.1', NODE_ENV: 'production' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	let partial = '';
	const take = (chunk: Buffer) => {
		output += chunk;
		if (!opts.onLine) return;
		const lines = (partial + chunk).split('\n');
		partial = lines.pop()!;
		for (const line of lines) opts.onLine(line);
	};
	child.stdout!.on('data', take);
	child.stderr!.on('data', take);
	const url = `http://127.0.0.1:${opts.port}`;
	await waitUntil(async () => (await fetch(`${url}/api/health`).catch(() => null))?.ok === true, child, () => output, `PANIC on port ${opts.port}`, 60_000);
	return { url, port: opts.port, process: child, output: () => output, stop: (signal) => stopChild(child, signal) };
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill(signal);
	await exited;
}

async function waitUntil(ready: () => boolean | Promise<boolean>, child: ChildProcess, output: () => string, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${output()}`);
		if (await ready()) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL');
	throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${output()}`);
}
