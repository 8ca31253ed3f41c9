// bench:sync — N stock y-websocket clients in one room; one editor moves a node at 20 Hz;
// fan-out latency to everyone else (p50/p99), time for a burst of N joins, and server RSS.
// Every case runs against PANIC's sync server and the reference @y/websocket-server in the
// same run, on the same machine, and prints ours/reference ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

process.setMaxListeners(0); // each stock provider adds an exit listener
const here = path.dirname(fileURLToPath(import.meta.url));
const MOVE_HZ = 20;
const MOVE_SECONDS = Number(process.env.BENCH_SECONDS || 10);

interface Case {
	name: string;
	room: string;
	clients: number;
	role: 'editor' | 'viewer';
}
const CASES: Case[] = [
	{ name: '50 editors', room: 'bench-graph', clients: 50, role: 'editor' },
	{ name: '500 read-only feed watchers', room: 'bench/feed', clients: 500, role: 'viewer' }
];

interface Result {
	joinMs: number;
	p50: number;
	p99: number;
	max: number;
	samples: number;
	expected: number;
	rssMb: number;
	idleRssMb: number;
}

async function startServer(mode: 'ours' | 'reference'): Promise<{ port: number; child: ChildProcess }> {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'sync-server.ts'), mode], {
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, NODE_ENV: 'production' }
	});
	const port = await new Promise<number>((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (d) => {
			out += d;
			const m = /READY (\d+)/.exec(out);
			if (m) resolve(Number(m[1]));
		});
		child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
	});
	return { port, child };
}

function rssMb(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** The stock client, with the headers a browser would send (Origin) plus the bench's role. */
function socketClass(origin: string, role: string) {
	return class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers: { origin, 'x-bench-role': role } });
		}
	};
}

function connect(port: number, room: string, role: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
	const doc = new Y.Doc();
	const origin = `http://127.0.0.1:${port}`;
	const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, room, doc, {
		WebSocketPolyfill: socketClass(origin, role) as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		resyncInterval: -1
	});
	return new Promise((resolve) => {
		const done = (synced: boolean) => {
			if (!synced) return;
			provider.off('sync', done);
			resolve({ doc, provider });
		};
		provider.on('sync', done);
	});
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function runCase(port: number, pid: number, c: Case): Promise<Result> {
	const idleRssMb = rssMb(pid);
	// The one writer is an editor in both servers; in the watcher case it is the only one.
	const editor = await connect(port, c.room, 'editor');
	// A node as the editor writes one (graph rooms refuse anything else); the send time rides in its label.
	const node = new Y.Map<unknown>([
		['modelId', 'local/paint'],
		['x', 0],
		['y', 0]
	]);
	editor.doc.getMap('nodes').set('moving', node);

	const joinStart = performance.now();
	const others = await Promise.all(Array.from({ length: c.clients - 1 }, () => connect(port, c.room, c.role)));
	const joinMs = performance.now() - joinStart;

	const latencies: number[] = [];
	let measuring = true;
	for (const { doc } of others) {
		doc.getMap('nodes').observeDeep(() => {
			const sent = Number((doc.getMap('nodes').get('moving') as Y.Map<unknown> | undefined)?.get('label'));
			if (measuring && sent > 0) latencies.push(performance.now() - sent);
		});
	}
	const moves = MOVE_HZ * MOVE_SECONDS;
	for (let i = 0; i < moves; i++) {
		editor.doc.transact(() => {
			node.set('x', i * 3);
			node.set('y', Math.round(Math.sin(i / 10) * 100));
			node.set('label', String(performance.now()));
		});
		await new Promise((r) => setTimeout(r, 1000 / MOVE_HZ));
	}
	await new Promise((r) => setTimeout(r, 500)); // let the last moves land
	measuring = false;
	const rss = rssMb(pid);
	for (const { provider, doc } of [editor, ...others]) {
		provider.destroy();
		doc.destroy();
	}
	latencies.sort((a, b) => a - b);
	return {
		joinMs,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies[latencies.length - 1],
		samples: latencies.length,
		expected: moves * (c.clients - 1),
		rssMb: rss,
		idleRssMb
	};
}

const fmt = (n: number, d = 1) => n.toFixed(d).padStart(8);

async function main() {
	console.log(`bench:sync — ${MOVE_HZ} Hz moves for ${MOVE_SECONDS} s per case; Node ${process.version}`);
	const rows: Array<{ c: Case; ours: Result; ref: Result }> = [];
	for (const c of CASES) {
		const results: Partial<Record<'ours' | 'reference', Result>> = {};
		for (const mode of ['reference', 'ours'] as const) {
			const { port, child } = await startServer(mode);
			try {
				results[mode] = await runCase(port, child.pid!, c);
			} finally {
				child.kill('SIGTERM');
			}
			const r = results[mode]!;
			console.log(
				`${c.name.padEnd(28)} ${mode.padEnd(9)} join ${fmt(r.joinMs, 0)} ms  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  max ${fmt(r.max, 1)} ms  delivered ${r.samples}/${r.expected}  RSS ${fmt(r.rssMb, 0)} MB (idle ${r.idleRssMb.toFixed(0)} MB, +${(r.rssMb - r.idleRssMb).toFixed(0)} MB)`
			);
		}
		rows.push({ c, ours: results.ours!, ref: results.reference! });
	}
	console.log('\nratios (PANIC / reference; below 1 is better for PANIC)');
	for (const { c, ours, ref } of rows) {
		console.log(
			`${c.name.padEnd(28)} join ×${(ours.joinMs / ref.joinMs).toFixed(2)}  p50 ×${(ours.p50 / ref.p50).toFixed(2)}  p99 ×${(ours.p99 / ref.p99).toFixed(2)}  RSS added ×${((ours.rssMb - ours.idleRssMb) / (ref.rssMb - ref.idleRssMb)).toFixed(2)}`
		);
	}
	const watchers = rows.find((r) => r.c.clients === 500);
	if (watchers) console.log(`\naim: p99 ≤ 50 ms with 500 watchers → ${watchers.ours.p99.toFixed(1)} ms (${watchers.ours.p99 <= 50 ? 'met' : 'NOT met'})`);
	process.exit(0);
}

await main();
