import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * deploy/haproxy.cfg rendered for processes on this machine, and HAProxy started on it: what
 * `npm run cluster`, tests/helpers/cluster.ts and `npm run bench:cluster` share.
 */
export const HAPROXY_CONFIG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/haproxy.cfg');
export const HAPROXY_BIN = process.env.HAPROXY_BIN || '/usr/sbin/haproxy';

export interface Backend {
	host: string;
	port: number;
}

/** The repository's config with its bind address and server lines replaced; everything else as written. */
export function renderHaproxyConfig(opts: { host: string; port: number; servers: Backend[]; template?: string }): string {
	const template = opts.template ?? fs.readFileSync(HAPROXY_CONFIG, 'utf8');
	const block = /^([ \t]*)# BEGIN servers\n[\s\S]*?^[ \t]*# END servers$/m;
	const match = block.exec(template);
	if (!match) throw new Error(`${HAPROXY_CONFIG} has no "# BEGIN servers" … "# END servers" block.`);
	const indent = match[1];
	const servers = opts.servers.map((s, i) => `${indent}server p${i + 1} ${hostPort(s.host, s.port)}`);
	const rendered = template.replace(block, [`${indent}# BEGIN servers`, ...servers, `${indent}# END servers`].join('\n'));
	const bind = /^([ \t]*)bind \S+$/m;
	if (!bind.test(rendered)) throw new Error(`${HAPROXY_CONFIG} has no bind line.`);
	return rendered.replace(bind, `$1bind ${hostPort(opts.host, opts.port)}`);
}

const hostPort = (host: string, port: number) => (net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

export interface RunningHaproxy {
	url: string;
	configFile: string;
	process: ChildProcess;
	output(): string;
	stop(): Promise<void>;
}

/**
 * Writes the rendered config to a temporary file, checks it (`haproxy -c`), starts HAProxy in
 * the foreground and resolves once it accepts connections on `port`.
 */
export async function startHaproxy(opts: { host?: string; port: number; servers: Backend[] }): Promise<RunningHaproxy> {
	const host = opts.host ?? '127.0.0.1';
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-haproxy-'));
	const configFile = path.join(dir, 'haproxy.cfg');
	fs.writeFileSync(configFile, renderHaproxyConfig({ host, port: opts.port, servers: opts.servers }));
	// -db: stay in the foreground, so it dies with us and Ctrl-C reaches it.
	const child = spawn(HAPROXY_BIN, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (d) => (output += d));
	child.stderr!.on('data', (d) => (output += d));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const spawnFailed = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`Cannot start ${HAPROXY_BIN}: ${error.message}`))));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			await exited;
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		await Promise.race([waitForListening(host, opts.port, child, () => output), spawnFailed]);
	} catch (error) {
		await stop();
		throw error;
	}
	return { url: `http://${hostPort(host, opts.port)}`, configFile, process: child, output: () => output, stop };
}

async function waitForListening(host: string, port: number, child: ChildProcess, output: () => string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`HAProxy exited (${child.exitCode}):\n${output()}`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect({ host, port }, () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`HAProxy did not listen on ${host}:${port} within 10 s:\n${output()}`);
}
