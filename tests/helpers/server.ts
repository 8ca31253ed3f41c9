import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPostgresDatabase } from './databases';
import { seedFromPgliteTemplate } from './pglite-template';

/**
 * Runs the real production server (the built bundle behind scripts/serve.js) in a child
 * process on a free port with its own data directory, as a user would run it.
 */
export interface TestServer {
	url: string;
	dataDir: string;
	databaseUrl?: string;
	process: ChildProcess;
	output(): string;
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** Stops the server and removes its data (and its Postgres database, if any). */
	dispose(): Promise<void>;
}

export interface ServerOptions {
	backend?: 'pglite' | 'postgres';
	env?: Record<string, string>;
	dataDir?: string;
	databaseUrl?: string;
	/** Open-files limit (soft and hard, `ulimit -n`) for the server, to test descriptor-aware caps. */
	openFiles?: number;
	/** Listen here instead of a free port (a restarted cluster process keeps its place behind HAProxy). */
	port?: number;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

const PROVIDER_URLS = ['REPLICATE_BASE_URL', 'OPENAI_BASE_URL', 'HF_BASE_URL', 'VESTABOARD_BASE_URL'];
/** Port 9 (discard) on loopback: nothing listens, so a call is refused at once. */
const NOWHERE = 'http://127.0.0.1:9';

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
	const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'panic-test-'));
	let databaseUrl = opts.databaseUrl;
	let dropDatabase: (() => Promise<void>) | undefined;
	if (!databaseUrl && opts.backend === 'postgres') {
		const adminUrl = process.env.TEST_DATABASE_URL;
		if (!adminUrl) throw new Error('The postgres backend needs TEST_DATABASE_URL.');
		const created = await createPostgresDatabase(adminUrl);
		databaseUrl = created.url;
		dropDatabase = created.drop;
	}
	// A fresh PGlite server starts from the migrated template (seconds saved per server).
	if (!databaseUrl) seedFromPgliteTemplate(path.join(dataDir, 'pglite'));
	const port = opts.port ?? (await freePort());
	const env: Record<string, string> = {
		// Tests never reach a real provider: unless a test points a provider at its fake, the
		// provider is a closed port here (a saved key starts an availability check, for one).
		...Object.fromEntries(PROVIDER_URLS.map((name) => [name, NOWHERE])),
		...(process.env as Record<string, string>),
		PORT: String(port),
		HOST: '127.0.0.1',
		PANIC_DATA_DIR: dataDir,
		NODE_ENV: 'production',
		...opts.env
	};
	delete env.DATABASE_URL;
	if (databaseUrl) env.DATABASE_URL = databaseUrl;
	// PGlite's WebAssembly compiled once, without V8's second optimising tier: a test server lives
	// seconds, and optimising PGlite's hot functions cost it more CPU than it ever won back (about
	// 1 s of each start). Only where vite.config.ts asks for it: the timed files keep the
	// runtime as production runs it.
	const flags = process.env.PANIC_TEST_SERVER_LIFTOFF === '1' ? '--liftoff-only ' : '';
	// Under a lowered limit through the shell: Node raises its soft limit only up to the hard one.
	const [command, args] = opts.openFiles
		? ['sh', ['-c', `ulimit -n ${Math.floor(opts.openFiles)} && exec "$0" ${flags}scripts/serve.js`, process.execPath]]
		: [process.execPath, [...(flags ? [flags.trim()] : []), 'scripts/serve.js']];
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (d) => (output += d));
	child.stderr!.on('data', (d) => (output += d));
	const url = `http://127.0.0.1:${port}`;
	try {
		await waitForHealth(url, port, child, () => output);
	} catch (error) {
		// The port was free when picked but another file's server took it before ours bound it:
		// pick again (only when the test did not ask for this port).
		if (opts.port === undefined && /EADDRINUSE/.test(output)) {
			if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
			await dropDatabase?.();
			return startServer(opts);
		}
		throw error;
	}

	const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill(signal);
		await exited;
	};
	return {
		url,
		dataDir,
		databaseUrl,
		process: child,
		output: () => output,
		stop,
		async dispose() {
			await stop();
			if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
			await dropDatabase?.();
		}
	};
}

async function waitForHealth(url: string, port: number, child: ChildProcess, output: () => string): Promise<void> {
	const deadline = Date.now() + 60_000;
	// Only our child's health counts: until it says it listens, an answer on the port may be
	// another file's server that took the port first (CI once signed up on a neighbour's server).
	const ours = `listening on http://localhost:${port}`;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`Server exited early (${child.exitCode}):\n${output()}`);
		if (!output().includes(ours)) {
			await new Promise((r) => setTimeout(r, 50));
			continue;
		}
		try {
			const res = await fetch(`${url}/api/health`);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill('SIGKILL');
	throw new Error(`Server did not become healthy within 60 s:\n${output()}`);
}

/** A tiny cookie-keeping client for the JSON API, as a script or CLI would use it. */
export class ApiClient {
	cookies = new Map<string, string>();
	constructor(readonly base: string) {}

	async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
		const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const res = await fetch(this.base + path, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(cookie ? { cookie } : {}),
				origin: this.base,
				...headers
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
		});
		for (const line of res.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const [name, ...rest] = pair.split('=');
			const value = rest.join('=');
			if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.set(name.trim(), value);
			else this.cookies.delete(name.trim());
		}
		return res;
	}

	async json<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; res: Response }> {
		const res = await this.request(method, path, body);
		return { status: res.status, body: (await res.json()) as T, res };
	}
}
