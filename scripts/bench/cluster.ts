// bench:cluster — the same event on 3 processes behind HAProxy and on 1 process behind HAProxy,
// both in cluster mode on the same PostgreSQL server and Redis, on this machine. Each setup gets
// a fresh database and Redis prefix; HAProxy (deploy/haproxy.cfg, rendered) fronts both, so the
// only difference is the number of processes. Per setup: N networks, each with E editors (stock
// y-websocket client on the graph room, editing their own sticky note every ~2 s) and P phones
// (audience sessions on the SSE feed), and one paced loop of built-in models (local/associate ⇄
// local/distil) running the whole time. Reports fan-out p50/p99 to phones (card createdAt → SSE
// event received) and to editors (edit → each other editor received it), deliveries against
// what was expected, invocations/s, and RSS per process; both setups side by side with ratios.
//
//   npm run bench:cluster -- [--networks 30] [--editors 5] [--phones 50] [--seconds 30] [--pace-ms 1000]
//                            [--edit-ms 2000] [--join-seconds 15]
//
// Needs DATABASE_URL and REDIS_URL (or TEST_DATABASE_URL and TEST_REDIS_URL); the database user
// must be allowed to create databases (one per setup, dropped afterwards).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ensureBuild } from '../build-if-stale.js';
import { startHaproxy, type RunningHaproxy } from '../cluster/haproxy';
import { freePort, startPanicProcess, type PanicProcess } from '../cluster/local';

process.setMaxListeners(0); // each stock provider adds an exit listener

const { values: args } = parseArgs({
	options: {
		networks: { type: 'string', default: '30' },
		editors: { type: 'string', default: '5' },
		phones: { type: 'string', default: '50' },
		seconds: { type: 'string', default: '30' },
		'pace-ms': { type: 'string', default: '1000' },
		'edit-ms': { type: 'string', default: '2000' },
		'join-seconds': { type: 'string', default: '10' }
	}
});
const NETWORKS = positive('networks');
const EDITORS = positive('editors');
const PHONES = positive('phones');
const SECONDS = positive('seconds');
const PACE_MS = positive('pace-ms');
const EDIT_MS = positive('edit-ms');
const JOIN_SECONDS = positive('join-seconds');
/** Before measuring: runs have started and every client has its first update. */
const WARMUP_MS = 3000;

const DATABASE_URL = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL || process.env.TEST_REDIS_URL;
if (!DATABASE_URL || !REDIS_URL) {
	console.error('bench:cluster needs DATABASE_URL and REDIS_URL (or TEST_DATABASE_URL and TEST_REDIS_URL).');
	process.exit(2);
}

function positive(name: keyof typeof args): number {
	const n = Number(args[name]);
	if (!Number.isInteger(n) || n < 1) {
		console.error(`--${name} must be a positive whole number.`);
		process.exit(2);
	}
	return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => {
	try {
		return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
	} catch {
		return NaN; // the process is gone
	}
};
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/** A cookie jar of one. */
class Client {
	/** Requests sent a second time, across all clients. */
	static retried = 0;
	cookie = '';
	constructor(readonly base: string) {}
	async call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
		const request = () =>
			fetch(this.base + route, {
				method,
				headers: { cookie: this.cookie, origin: this.base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body)
			});
		// A kept-alive connection the proxy closed just as it was reused: asked again once, as a
		// phone page would (a join or a read; the bench sends nothing that must not repeat).
		const res = await request().catch(() => {
			Client.retried++;
			return request();
		});
		const set = res.headers.getSetCookie();
		if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
	}
	async ok(method: string, route: string, body?: unknown) {
		const r = await this.call(method, route, body);
		if (r.status >= 300) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
		return r;
	}
}

/** A fresh database on the server DATABASE_URL names, dropped afterwards. */
async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `panic_bench_${randomBytes(5).toString('hex')}`;
	const admin = async (sql: string) => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			await client.query(sql);
		} finally {
			await client.end();
		}
	};
	await admin(`CREATE DATABASE ${name}`);
	const own = new URL(url);
	own.pathname = `/${name}`;
	return { url: own.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

interface Setup {
	url: string;
	processes: PanicProcess[];
	haproxy: RunningHaproxy;
	stop(): Promise<void>;
}

async function startSetup(count: number): Promise<Setup> {
	const database = await freshDatabase(DATABASE_URL!);
	const prefix = `panic-bench-${randomBytes(4).toString('hex')}`;
	const env = {
		...process.env,
		DATABASE_URL: database.url,
		REDIS_URL: REDIS_URL!,
		PANIC_REDIS_PREFIX: prefix,
		PANIC_SECRET_KEY: randomBytes(32).toString('base64'),
		ADDRESS_HEADER: 'x-forwarded-for',
		XFF_DEPTH: '1',
		PANIC_TRUSTED_PROXIES: '127.0.0.1,::1',
		// One address (this machine) signs every owner up, and one process must be able to hold
		// every loop in the 1-process setup: the same workload for both.
		SIGNUPS_PER_ADDRESS: '100000',
		PANIC_RUNS_TOTAL: String(NETWORKS + 8),
		PANIC_STREAMS_PER_ADDRESS: String(NETWORKS * (EDITORS + PHONES) * 2 + 100)
	};
	const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
	const processes: PanicProcess[] = [];
	const start = (i: number) => startPanicProcess({ port: ports[i], env, onLine: (line) => /error|warn|fail/i.test(line) && console.log(`  [p${i + 1}] ${line}`) });
	processes.push(await start(0)); // migrations, alone
	processes.push(...(await Promise.all(ports.slice(1).map((_, i) => start(i + 1)))));
	const haproxy = await startHaproxy({ port: await freePort(), servers: ports.map((port) => ({ host: '127.0.0.1', port })) });
	return {
		url: haproxy.url,
		processes,
		haproxy,
		async stop() {
			await haproxy.stop();
			await Promise.all(processes.map((p) => p.stop()));
			const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: null });
			try {
				for (let cursor = '0'; ; ) {
					const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
					if (keys.length) await redis.del(...keys);
					if ((cursor = next) === '0') break;
				}
			} finally {
				redis.disconnect();
			}
			await database.drop();
		}
	};
}

/** What the clients saw; samples count only inside the measured window. */
interface Observed {
	measuring: boolean;
	phoneMs: number[];
	editorMs: number[];
	/** Distinct cards seen by any phone in the window, and edits made in it. */
	cards: Set<string>;
	edits: number;
	/** Cards each phone saw in the window (to compare with what it should have seen). */
	phoneDeliveries: number;
	editorDeliveries: number;
	/** Joins and feeds refused (429/503) and retried; feeds that ended and were reopened. */
	refusals: number;
	reasons: Map<string, number>;
	reconnects: number;
}

function refused(seen: Observed, reason: string) {
	seen.refusals++;
	seen.reasons.set(reason, (seen.reasons.get(reason) ?? 0) + 1);
}

interface NetworkUnderTest {
	id: string;
	owner: Client;
	process: string;
	editors: Array<{ provider: WebsocketProvider; doc: Y.Doc }>;
}

async function setUpNetwork(base: string, i: number): Promise<{ id: string; owner: Client; code: string; process: string }> {
	const owner = new Client(base);
	await owner.ok('POST', '/api/auth/signup', { email: `owner${i}@bench.example`, password: 'feedback loops' });
	const { body: network } = await owner.ok('POST', '/api/networks', { name: `bench ${i}` });
	await owner.ok('PUT', `/api/networks/${network.id}/graph`, {
		nodes: [
			{ id: 'a', modelId: 'local/associate', x: 0, y: 0 },
			{ id: 'b', modelId: 'local/distil', x: 200, y: 0 }
		],
		edges: [
			{ id: 'ab', source: 'a', target: 'b' },
			{ id: 'ba', source: 'b', target: 'a' }
		],
		startNodeId: 'a'
	});
	await owner.ok('PATCH', `/api/networks/${network.id}`, { settings: { pacing: { fixedMs: PACE_MS } } });
	const { body: code } = await owner.ok('POST', `/api/networks/${network.id}/join-codes`);
	// Which process HAProxy sends this network to (cluster mode tags every answer).
	const { headers } = await owner.call('GET', `/api/networks/${network.id}`);
	return { id: network.id, owner, code: code.code, process: headers.get('x-panic-process') ?? '?' };
}

/**
 * A phone: joins with the code (retrying when told to wait, as the phone page does) and watches
 * the feed, reconnecting as EventSource does when the stream is refused or ends. Resolves once
 * its first snapshot arrived.
 */
async function phone(base: string, networkId: string, code: string, seen: Observed, stop: AbortSignal): Promise<void> {
	const client = new Client(base);
	for (;;) {
		const r = await client.call('POST', `/api/join/${code}`);
		if (r.status === 200) break;
		if (r.status !== 429 && r.status !== 503) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
		refused(seen, `join ${r.status} ${r.body?.error ?? ''}`);
		await sleep((r.body?.details?.retryAfterSeconds ?? 1) * 1000 + Math.random() * 1000);
	}
	let connected: () => void;
	const first = new Promise<void>((resolve) => (connected = resolve));
	void (async () => {
		while (!stop.aborted) {
			try {
				const res = await fetch(`${base}/api/networks/${networkId}/feed?cards=4`, { headers: { cookie: client.cookie }, signal: stop });
				if (!res.ok || !res.body) {
					refused(seen, `feed ${res.status} ${(await res.text()).slice(0, 80)}`);
					await sleep(1000 + Math.random() * 2000);
					continue;
				}
				await readFeed(res.body, seen, connected!);
			} catch {
				if (stop.aborted) return;
			}
			if (!stop.aborted) seen.reconnects++;
			await sleep(1000);
		}
	})();
	return first;
}

async function readFeed(body: ReadableStream<Uint8Array>, seen: Observed, connected: () => void): Promise<void> {
	const decoder = new TextDecoder();
	let buffer = '';
	const reader = body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		buffer += decoder.decode(value, { stream: true });
		for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			const name = /^event: (.+)$/m.exec(block)?.[1];
			if (name === 'snapshot') connected();
			if (name !== 'card' || !seen.measuring) continue;
			const card = JSON.parse(/^data: (.+)$/m.exec(block)![1]);
			seen.phoneMs.push(Date.now() - Date.parse(card.createdAt));
			seen.phoneDeliveries++;
			seen.cards.add(card.id);
		}
	}
}

/**
 * An editor: the stock y-websocket client on the graph room with the owner's cookie. Its
 * sticky note's text carries when it was written; every other editor's note change is a
 * delivery, timed from that.
 */
function editor(base: string, networkId: string, owner: Client, seen: Observed): Promise<{ provider: WebsocketProvider; doc: Y.Doc }> {
	const doc = new Y.Doc();
	const headers = { origin: base, cookie: owner.cookie };
	const Socket = class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	};
	const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/sync`, networkId, doc, {
		WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		resyncInterval: -1
	});
	const notes = doc.getMap<Y.Map<unknown>>('notes');
	notes.observeDeep((events, transaction) => {
		if (transaction.local || !seen.measuring) return;
		const now = Date.now();
		for (const event of events) {
			const changed = event.target === notes ? [...(event as Y.YMapEvent<unknown>).keysChanged].map((k) => notes.get(k)) : [event.target as Y.Map<unknown>];
			for (const note of changed) {
				const sentAt = Number(/^edit (\d+)$/.exec(String(note?.get('text') ?? ''))?.[1]);
				if (!sentAt) continue;
				seen.editorMs.push(now - sentAt);
				seen.editorDeliveries++;
			}
		}
	});
	return new Promise((resolve) =>
		provider.once('sync', () => {
			const note = new Y.Map<unknown>();
			note.set('text', 'joined');
			note.set('x', Math.round(Math.random() * 500));
			note.set('y', Math.round(Math.random() * 500));
			notes.set(`n${doc.clientID}`, note);
			resolve({ provider, doc });
		})
	);
}

interface Result {
	processes: number;
	networksPerProcess: string;
	phoneP50: number;
	phoneP99: number;
	phoneDelivered: number;
	editorP50: number;
	editorP99: number;
	editorDelivered: number;
	invocationsPerSecond: number;
	rssPerProcessMb: number[];
	haproxyRssMb: number;
}

async function measure(count: number): Promise<Result> {
	console.log(`\n— ${count} process${count === 1 ? '' : 'es'} behind HAProxy: starting…`);
	const setup = await startSetup(count);
	const pids = setup.processes.map((p) => p.process.pid!);
	const peak = pids.map(() => 0);
	let haproxyPeak = 0;
	const sampler = setInterval(() => {
		pids.forEach((pid, i) => (peak[i] = Math.max(peak[i], rssMb(pid) || 0)));
		haproxyPeak = Math.max(haproxyPeak, rssMb(setup.haproxy.process.pid!) || 0);
	}, 500);
	const stop = new AbortController();
	setMaxListeners(0, stop.signal); // one listener per phone's stream
	// HAProxy's word on processes going down or up (health checks) is part of the result.
	setup.haproxy.process.stderr!.on('data', (d: Buffer) => {
		for (const line of String(d).split('\n')) if (/is (DOWN|UP)/.test(line)) console.log(`  [haproxy] ${line.replace(/^\[WARNING\]\s+\(\d+\) : /, '').slice(0, 120)}`);
	});
	const networks: NetworkUnderTest[] = [];
	const seen: Observed = { measuring: false, phoneMs: [], editorMs: [], cards: new Set(), edits: 0, phoneDeliveries: 0, editorDeliveries: 0, refusals: 0, reasons: new Map(), reconnects: 0 };
	let editing: ReturnType<typeof setInterval> | undefined;
	try {
		const t0 = performance.now();
		// Networks a few at a time: sign-ups hash passwords, one at a time per process.
		const made: Awaited<ReturnType<typeof setUpNetwork>>[] = [];
		for (let i = 0; i < NETWORKS; i += 5) made.push(...(await Promise.all(Array.from({ length: Math.min(5, NETWORKS - i) }, (_, j) => setUpNetwork(setup.url, i + j)))));
		const tNetworks = performance.now();
		for (const n of made) {
			const editors = await Promise.all(Array.from({ length: EDITORS }, () => editor(setup.url, n.id, n.owner, seen)));
			networks.push({ id: n.id, owner: n.owner, process: n.process, editors });
		}
		const tEditors = performance.now();
		// A hall scanning the QR code: phones arrive over JOIN_SECONDS, not in one millisecond.
		await Promise.all(
			made.flatMap((n) => Array.from({ length: PHONES }, () => sleep(Math.random() * JOIN_SECONDS * 1000).then(() => phone(setup.url, n.id, n.code, seen, stop.signal))))
		);
		const secs = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
		console.log(`  set-up: networks ${secs(t0, tNetworks)} s, editors ${secs(tNetworks, tEditors)} s, phones joined and watching ${secs(tEditors, performance.now())} s`);
		if (seen.reasons.size) console.log(`  told to wait: ${JSON.stringify(Object.fromEntries(seen.reasons))}`);
		if (Client.retried) console.log(`  ${Client.retried} requests met a closed connection and were sent again`);
		console.log(
			`  ${NETWORKS} networks, ${NETWORKS * EDITORS} editors, ${NETWORKS * PHONES} phones connected in ${((performance.now() - t0) / 1000).toFixed(1)} s (${seen.refusals} joins or feeds told to wait and retried)`
		);

		const runs = await Promise.all(networks.map(async (n) => (await n.owner.ok('POST', `/api/networks/${n.id}/runs`, { input: `network ${n.id} begins` })).body.runId as string));
		// Each editor edits its note every EDIT_MS (± half), from the first second on.
		editing = setInterval(() => {
			for (const n of networks) {
				for (const e of n.editors) {
					if (Math.random() > 250 / EDIT_MS) continue; // ticks are 250 ms apart
					e.doc.getMap<Y.Map<unknown>>('notes').get(`n${e.doc.clientID}`)?.set('text', `edit ${Date.now()}`);
					if (seen.measuring) seen.edits++;
				}
			}
		}, 250);
		await sleep(WARMUP_MS);
		const stepsAt = async () => {
			const counts = await Promise.all(networks.map(async (n) => (await n.owner.ok('GET', `/api/networks/${n.id}/runs`)).body as Array<{ id: string; invocationCount: number }>));
			return counts.flat().filter((r) => runs.includes(r.id)).reduce((sum, r) => sum + r.invocationCount, 0);
		};
		const before = await stepsAt();
		const start = performance.now();
		seen.measuring = true;
		peak.fill(0);
		await sleep(SECONDS * 1000);
		seen.measuring = false;
		if (seen.reconnects) console.log(`  ${seen.reconnects} feed streams ended and were reopened while measuring`);
		const elapsed = (performance.now() - start) / 1000;
		const after = await stepsAt();
		clearInterval(editing);
		await Promise.all(runs.map((id, i) => networks[i].owner.call('POST', `/api/runs/${id}/stop`)));

		// Networks per process, every process listed (HAProxy may leave one without any).
		const tags = await Promise.all(setup.processes.map(async (p) => (await fetch(`${p.url}/api/health`)).headers.get('x-panic-process')));
		const byProcess = new Map<string, number>(tags.map((t) => [t ?? '?', 0]));
		for (const n of networks) byProcess.set(n.process, (byProcess.get(n.process) ?? 0) + 1);
		const phoneMs = seen.phoneMs.sort((a, b) => a - b);
		const editorMs = seen.editorMs.sort((a, b) => a - b);
		// Every card should reach every phone of its network; every edit every other editor.
		const phoneExpected = seen.cards.size * PHONES;
		const editorExpected = seen.edits * (EDITORS - 1);
		return {
			processes: count,
			networksPerProcess: [...byProcess.values()].join(' / '),
			phoneP50: percentile(phoneMs, 50),
			phoneP99: percentile(phoneMs, 99),
			phoneDelivered: phoneExpected ? seen.phoneDeliveries / phoneExpected : NaN,
			editorP50: percentile(editorMs, 50),
			editorP99: percentile(editorMs, 99),
			editorDelivered: editorExpected ? seen.editorDeliveries / editorExpected : NaN,
			invocationsPerSecond: (after - before) / elapsed,
			rssPerProcessMb: peak.map(Math.round),
			haproxyRssMb: Math.round(haproxyPeak)
		};
	} finally {
		clearInterval(sampler);
		if (editing) clearInterval(editing);
		stop.abort();
		for (const n of networks) {
			for (const e of n.editors) {
				e.provider.destroy();
				e.doc.destroy(); // ends the awareness timer too
			}
		}
		await setup.stop();
	}
}

async function main() {
	ensureBuild({ quiet: true });
	console.log(
		`bench:cluster — ${NETWORKS} networks × (${EDITORS} editors + ${PHONES} phones), one loop each (local/associate ⇄ local/distil, one step per ${PACE_MS} ms), editors edit every ~${EDIT_MS} ms; ${SECONDS} s measured after ${WARMUP_MS / 1000} s of warm-up`
	);
	const one = await measure(1);
	const three = await measure(3);
	const rows: Array<[string, (r: Result) => number | string, boolean]> = [
		['networks per process', (r) => r.networksPerProcess, false],
		['phones: fan-out p50 ms', (r) => r.phoneP50, true],
		['phones: fan-out p99 ms', (r) => r.phoneP99, true],
		['phones: delivered / expected', (r) => pct(r.phoneDelivered), false],
		['editors: fan-out p50 ms', (r) => r.editorP50, true],
		['editors: fan-out p99 ms', (r) => r.editorP99, true],
		['editors: delivered / expected', (r) => pct(r.editorDelivered), false],
		['invocations/s (all loops)', (r) => r.invocationsPerSecond.toFixed(1), true],
		['RSS per process, peak MB', (r) => r.rssPerProcessMb.join(' / '), false],
		['RSS all processes, MB', (r) => r.rssPerProcessMb.reduce((a, b) => a + b, 0), true],
		['HAProxy RSS, MB', (r) => r.haproxyRssMb, false]
	];
	console.log(`\n${'measure'.padEnd(32)}${'1 process'.padStart(16)}${'3 processes'.padStart(20)}${'ratio 3/1'.padStart(12)}`);
	for (const [name, get, ratio] of rows) {
		const a = get(one);
		const b = get(three);
		const r = ratio && Number(a) ? `×${(Number(b) / Number(a)).toFixed(2)}` : '';
		console.log(`${name.padEnd(32)}${String(a).padStart(16)}${String(b).padStart(20)}${r.padStart(12)}`);
	}
	console.log('\nFan-out is timed on one clock (this machine): card createdAt → SSE event; edit written → other editor observed it.');
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

await main();
process.exit(0);
