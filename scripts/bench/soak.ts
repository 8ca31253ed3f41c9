// bench:soak — an installation left running: N three-model loops of built-in models
// (local/paint → local/caption → local/associate → paint) at a fixed pacing with no budget and no
// stop at a fixed point, editors moving sticky notes on the canvas (stock y-websocket client),
// phones on the SSE feed and one kiosk display (a real Chromium page, or its SSE feed when no
// Chromium is installed), all against the production server (scripts/serve.js) in a child
// process. Every --sample-seconds it reads the server over an IPC channel (scripts/soak-probe.js,
// attached only with PANIC_SOAK_PROBE=1; never an HTTP route): RSS, V8 heap used (after a full
// collection), event-loop delay p50/p99, open handles, database size and invocations per minute.
// At the end it prints each metric's least-squares slope per hour after the warm-up and writes
// samples.csv and chart.svg into --out; --heap-snapshots N writes N heap snapshots after the
// warm-up (compare them with scripts/bench/heap-diff.ts).
//
//   npm run bench:soak -- [--loops 5] [--pacing-ms 200] [--editors 15] [--phones 100] [--displays 1]
//                         [--minutes 30] [--warmup-minutes 5] [--sample-seconds 10] [--edit-seconds 4]
//                         [--db pglite|postgres] [--out tmp/soak-<time>] [--heap-snapshots 0]
//
// PostgreSQL needs DATABASE_URL or TEST_DATABASE_URL (a fresh database is made and dropped).
import { spawn, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createPostgresDatabase } from '../../tests/helpers/databases';
import { ensureBuild } from '../build-if-stale.js';
import { freePort } from '../cluster/local';
import { chartSvg, fit, toCsv, type Metric, type Row } from './soak-chart';
import { CLOSE } from '../../server/shared/sync/close-codes';

process.setMaxListeners(0); // each stock provider adds an exit listener
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values: args } = parseArgs({
	options: {
		loops: { type: 'string', default: '5' },
		'pacing-ms': { type: 'string', default: '200' },
		editors: { type: 'string', default: '15' },
		phones: { type: 'string', default: '100' },
		displays: { type: 'string', default: '1' },
		minutes: { type: 'string', default: '30' },
		'warmup-minutes': { type: 'string', default: '5' },
		'sample-seconds': { type: 'string', default: '10' },
		'edit-seconds': { type: 'string', default: '4' },
		'heap-snapshots': { type: 'string', default: '0' },
		db: { type: 'string', default: 'pglite' },
		out: { type: 'string' }
	}
});
const num = (name: keyof typeof args, min = 0) => {
	const n = Number(args[name]);
	if (!Number.isFinite(n) || n < min) {
		console.error(`--${name} must be a number of at least ${min}.`);
		process.exit(2);
	}
	return n;
};
const LOOPS = num('loops', 1);
const PACING_MS = num('pacing-ms');
const EDITORS = num('editors');
const PHONES = num('phones');
const DISPLAYS = num('displays');
const MINUTES = num('minutes', 0.5);
const WARMUP_S = num('warmup-minutes') * 60;
const SAMPLE_MS = num('sample-seconds', 1) * 1000;
/** Mean time between one editor's note moves. */
const EDIT_MS = num('edit-seconds', 0.1) * 1000;
const SNAPSHOTS = num('heap-snapshots');
const DB = args.db;
if (DB !== 'pglite' && DB !== 'postgres') {
	console.error('--db is pglite or postgres.');
	process.exit(2);
}
const OUT = path.resolve(args.out ?? path.join(ROOT, 'tmp', `soak-${DB}-${new Date().toISOString().replace(/[:.]/g, '-')}`));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => ms * (0.5 + Math.random());

/** A cookie jar of one. */
class Client {
	cookie = '';
	constructor(readonly base: string) {}
	async call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
		const res = await fetch(this.base + route, {
			method,
			headers: { cookie: this.cookie, origin: this.base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const set = res.headers.getSetCookie();
		if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : null };
	}
	async ok(method: string, route: string, body?: unknown) {
		const r = await this.call(method, route, body);
		if (r.status >= 300) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
		return r;
	}
}

// —— The server, with the probe on its IPC channel ——

interface Server {
	url: string;
	child: ChildProcess;
	dataDir: string;
	ask<T>(message: Record<string, unknown>): Promise<T>;
	stop(): Promise<void>;
}

async function startServer(databaseUrl: string | undefined): Promise<Server> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-soak-'));
	const port = await freePort();
	const nowhere = 'http://127.0.0.1:9'; // no provider is ever reached
	const env: Record<string, string | undefined> = {
		...process.env,
		NODE_ENV: 'production',
		PORT: String(port),
		HOST: '127.0.0.1',
		PANIC_DATA_DIR: dataDir,
		PANIC_SOAK_PROBE: '1',
		REPLICATE_BASE_URL: nowhere,
		OPENAI_BASE_URL: nowhere,
		HF_BASE_URL: nowhere,
		VESTABOARD_BASE_URL: nowhere,
		// One owner holds every loop; everyone connects from this machine's one address.
		PANIC_RUNS_PER_OWNER: String(LOOPS + 2),
		PANIC_RUNS_TOTAL: String(LOOPS + 8),
		PANIC_STREAMS_PER_ADDRESS: String((EDITORS + PHONES + DISPLAYS) * 2 + 100),
		PANIC_STREAMS_PER_SESSION: String(EDITORS * 2 + 32)
	};
	delete env.DATABASE_URL;
	delete env.REDIS_URL;
	if (databaseUrl) env.DATABASE_URL = databaseUrl;
	// --expose-gc: the probe collects before reading the heap, so samples show what is retained.
	const child = spawn(process.execPath, ['--expose-gc', path.join(ROOT, 'scripts/serve.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
	const log = fs.createWriteStream(path.join(OUT, 'server.log'));
	child.stdout!.pipe(log);
	child.stderr!.pipe(log);
	child.stderr!.on('data', (d: Buffer) => {
		for (const line of String(d).split('\n')) if (/error|fail/i.test(line)) console.log(`  [server] ${line.slice(0, 200)}`);
	});
	let nextId = 1;
	const waiting = new Map<number, { resolve(v: any): void; reject(e: Error): void }>();
	child.on('message', (m: any) => {
		const w = waiting.get(m?.id);
		if (!w) return;
		waiting.delete(m.id);
		if (m.error) w.reject(new Error(m.error));
		else w.resolve(m);
	});
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; ; i++) {
		if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}); see ${OUT}/server.log`);
		if ((await fetch(`${url}/api/health`).catch(() => null))?.ok) break;
		if (i > 1200) throw new Error('the server did not become healthy in 2 minutes');
		await sleep(100);
	}
	return {
		url,
		child,
		dataDir,
		ask: (message) =>
			new Promise((resolve, reject) => {
				const id = nextId++;
				waiting.set(id, { resolve, reject });
				child.send({ ...message, id });
			}),
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await exited;
			}
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

function dirBytes(dir: string): number {
	let total = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		total += entry.isDirectory() ? dirBytes(p) : (fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0);
	}
	return total;
}

// —— The installation: loops, editors, phones, displays ——

const LOOP = {
	nodes: [
		{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
		{ id: 'caption', modelId: 'local/caption', x: 240, y: 0 },
		{ id: 'associate', modelId: 'local/associate', x: 120, y: 200 }
	],
	edges: [
		{ id: 'e1', source: 'paint', target: 'caption' },
		{ id: 'e2', source: 'caption', target: 'associate' },
		{ id: 'e3', source: 'associate', target: 'paint' }
	],
	startNodeId: 'paint'
};
const PROMPTS = ['a dream of the sea at dawn', 'red circle', 'the quick brown fox jumps over the lazy dog', 'a green house under a yellow sun', 'blue stripes at night'];

interface Network {
	id: string;
	code: string;
	restarts: number;
}

async function setUpNetworks(owner: Client): Promise<Network[]> {
	const networks: Network[] = [];
	for (let i = 0; i < LOOPS; i++) {
		const { body } = await owner.ok('POST', '/api/networks', { name: `soak loop ${i + 1}` });
		await owner.ok('PUT', `/api/networks/${body.id}/graph`, LOOP);
		await owner.ok('PATCH', `/api/networks/${body.id}`, {
			// An installation: no budget, no stop at a fixed point, errors do not end it.
			settings: {
				pacing: { fixedMs: PACING_MS },
				stopOnFixedPoint: false,
				onError: 'continue',
				budgets: { maxInvocations: null, maxDurationSeconds: null, maxSpendUsd: null }
			}
		});
		const { body: code } = await owner.ok('POST', `/api/networks/${body.id}/join-codes`);
		networks.push({ id: body.id, code: code.code, restarts: 0 });
	}
	return networks;
}

const startRun = (owner: Client, n: Network, i: number) => owner.ok('POST', `/api/networks/${n.id}/runs`, { input: { kind: 'text', text: PROMPTS[i % PROMPTS.length] } });

/** Runs must go on for the whole soak: one that ended anyway is started again (and counted). */
async function keepRunning(owner: Client, networks: Network[], stop: AbortSignal) {
	while (!stop.aborted) {
		await sleep(30_000);
		for (const [i, n] of networks.entries()) {
			if (stop.aborted) return;
			const { body: runs } = await owner.call('GET', `/api/networks/${n.id}/runs`).catch(() => ({ body: null }));
			if (!Array.isArray(runs) || runs.some((r: { status: string }) => r.status === 'running')) continue;
			const last = runs[0];
			console.log(`  loop ${i + 1}'s run ended (${last?.stopCause ?? '?'}); starting it again`);
			n.restarts++;
			await startRun(owner, n, i).catch((e) => console.log(`  restarting loop ${i + 1} failed: ${e.message}`));
		}
	}
}

interface Counters {
	phoneCards: number;
	phoneReconnects: number;
	editorEdits: number;
	/** Times an editor started over because its doc fell behind the compacted history (4409). */
	editorResets: number;
	displayCards: number;
}

/**
 * An editor: the stock y-websocket client on a network's graph room, moving its own note every
 * few seconds. On 4409 (its doc fell behind the room's compacted history,
 * server/sync/history-compaction.ts) it does what the canvas does: drops its doc and provider
 * and connects again with fresh ones.
 */
function editor(base: string, networkId: string, owner: Client, counters: Counters, stop: AbortSignal): Promise<() => void> {
	const headers = { origin: base, cookie: owner.cookie };
	const Socket = class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	};
	// The note's id stays across restarts: a fresh doc has a new client id, the editor the same note.
	const noteId = `n${Math.floor(Math.random() * 2 ** 31)}`;
	let doc!: Y.Doc;
	let provider!: WebsocketProvider;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const move = () => {
		if (stop.aborted) return;
		const note = doc.getMap<Y.Map<unknown>>('notes').get(noteId);
		if (note) {
			doc.transact(() => {
				note.set('x', Math.round(Math.random() * 800));
				note.set('y', Math.round(Math.random() * 600));
			});
			counters.editorEdits++;
		}
		timer = setTimeout(move, jitter(EDIT_MS));
	};
	const connect = (onSynced: () => void) => {
		doc = new Y.Doc();
		provider = new WebsocketProvider(`${base.replace('http', 'ws')}/sync`, networkId, doc, {
			WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
			disableBc: true
		});
		provider.awareness.setLocalStateField('user', { name: `editor ${noteId}` });
		provider.on('closed', ({ code }) => {
			if (code !== CLOSE.staleDoc || stop.aborted) return;
			counters.editorResets++;
			clearTimeout(timer);
			provider.destroy();
			doc.destroy();
			connect(() => (timer = setTimeout(move, jitter(EDIT_MS))));
		});
		provider.once('sync', () => {
			const notes = doc.getMap<Y.Map<unknown>>('notes');
			if (!notes.has(noteId)) {
				const note = new Y.Map<unknown>();
				note.set('text', `editor ${noteId} was here`);
				note.set('x', 0);
				note.set('y', 0);
				notes.set(noteId, note);
			}
			onSynced();
		});
	};
	return new Promise((resolve) =>
		connect(() => {
			timer = setTimeout(move, jitter(EDIT_MS));
			resolve(() => {
				clearTimeout(timer);
				provider.destroy();
				doc.destroy();
			});
		})
	);
}

/** Reads an SSE stream until it ends, counting cards; `opened` once the snapshot arrived. */
async function readFeed(res: Response, onCard: () => void, opened: () => void) {
	const decoder = new TextDecoder();
	let buffer = '';
	const reader = res.body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		buffer += decoder.decode(value, { stream: true });
		for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			const name = /^event: (.+)$/m.exec(block)?.[1];
			if (name === 'snapshot') opened();
			else if (name === 'card') onCard();
		}
	}
}

/** A client on the SSE feed that comes back as EventSource does when the stream ends. Resolves once first open. */
function watchFeed(url: string, cookie: string, onCard: () => void, counters: Counters, stop: AbortSignal): Promise<void> {
	let opened!: () => void;
	const first = new Promise<void>((r) => (opened = r));
	void (async () => {
		while (!stop.aborted) {
			try {
				const res = await fetch(url, { headers: { cookie }, signal: stop });
				if (res.ok && res.body) await readFeed(res, onCard, opened);
				else await res.text();
			} catch {
				if (stop.aborted) return;
			}
			if (stop.aborted) return;
			counters.phoneReconnects++;
			await sleep(2000);
		}
	})();
	return first;
}

async function phone(base: string, n: Network, counters: Counters, stop: AbortSignal) {
	const client = new Client(base);
	for (;;) {
		const r = await client.call('POST', `/api/join/${n.code}`);
		if (r.status === 200) break;
		if (r.status !== 429 && r.status !== 503) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
		await sleep((r.body?.details?.retryAfterSeconds ?? 1) * 1000 + Math.random() * 1000);
	}
	await watchFeed(`${base}/api/networks/${n.id}/feed?cards=12`, client.cookie, () => counters.phoneCards++, counters, stop);
}

/** A kiosk screen: Chromium on its URL if there is one; otherwise the feed that page reads. */
async function display(base: string, owner: Client, n: Network, i: number, counters: Counters, stop: AbortSignal): Promise<{ close(): Promise<void>; kind: string }> {
	const { body } = await owner.ok('POST', `/api/networks/${n.id}/installations`, {
		name: `soak wall ${i + 1}`,
		screens: [{ name: 'wall', kind: 'grid', grid: { rows: 2, cols: 3 } }]
	});
	const kioskPath = body.screens[0].kioskPath as string;
	const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (fs.existsSync(chromium)) {
		const { launchBrowser } = await import('../../tests/helpers/browser');
		const browser = await launchBrowser();
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await page.goto(base + kioskPath);
		return { kind: 'Chromium page', close: () => browser.close() };
	}
	const token = kioskPath.split('/').pop()!;
	await watchFeed(`${base}/api/networks/${n.id}/feed?kiosk=${encodeURIComponent(token)}`, '', () => counters.displayCards++, counters, stop);
	return { kind: 'kiosk SSE feed (no Chromium)', close: async () => {} };
}

// —— Sampling ——

interface ProbeSample {
	at: number;
	rss: number;
	heapUsed: number;
	heapTotal: number;
	external: number;
	arrayBuffers: number;
	gcBeforeSample: boolean;
	loopDelayP50Ms: number;
	loopDelayP99Ms: number;
	loopDelayMaxMs: number;
	handles: Record<string, number>;
	cards: number;
	dbBytes: number | null;
	graphStructs: number;
	feedStructs: number;
}

const MB = 1024 * 1024;
const METRICS: Metric[] = [
	{ key: 'rss', label: 'RSS', unit: 'MB', scale: MB },
	{ key: 'heapUsed', label: 'V8 heap used', unit: 'MB', scale: MB },
	{ key: 'external', label: 'external + array buffers', unit: 'MB', scale: MB },
	{ key: 'loopP50', label: 'event-loop delay p50', unit: 'ms', scale: 1 },
	{ key: 'loopP99', label: 'event-loop delay p99', unit: 'ms', scale: 1 },
	{ key: 'handles', label: 'open handles', unit: 'count', scale: 1 },
	{ key: 'dbBytes', label: 'database size', unit: 'MB', scale: MB },
	{ key: 'feedStructs', label: 'Yjs structs, feed rooms', unit: 'count', scale: 1 },
	{ key: 'graphStructs', label: 'Yjs structs, graph rooms', unit: 'count', scale: 1 },
	{ key: 'invocationsPerMin', label: 'invocations per minute', unit: '/min', scale: 1 },
	{ key: 'phonesCardsPerMin', label: 'cards received by phones', unit: '/min', scale: 1 }
];
const CSV_KEYS = ['t', 'rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'loopP50', 'loopP99', 'loopMax', 'handles', 'tcp', 'timers', 'dbBytes', 'feedStructs', 'graphStructs', 'cards', 'invocationsPerMin', 'phonesCardsPerMin', 'editorEdits', 'editorResets'];

async function main() {
	fs.mkdirSync(OUT, { recursive: true });
	ensureBuild({ quiet: false });
	let dropDatabase: (() => Promise<void>) | undefined;
	let databaseUrl: string | undefined;
	if (DB === 'postgres') {
		const admin = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
		if (!admin) throw new Error('--db postgres needs DATABASE_URL or TEST_DATABASE_URL');
		const created = await createPostgresDatabase(admin);
		databaseUrl = created.url;
		dropDatabase = created.drop;
	}
	console.log(
		`bench:soak — ${LOOPS} loops (paint → caption → associate, ${PACING_MS} ms pacing), ${EDITORS} editors (a note move every ~${EDIT_MS / 1000} s each), ${PHONES} phones, ${DISPLAYS} display(s) on ${DB}; ${MINUTES} min, slopes after ${WARMUP_S / 60} min; out ${OUT}`
	);
	const server = await startServer(databaseUrl);
	// Stopped by hand (Ctrl+C, kill): the server must not go on running its loops on its own,
	// eating a core under whatever runs next (it did, once, under two soaks and a CI run).
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => void Promise.resolve(server.stop()).finally(() => process.exit(130)));
	}
	const stop = new AbortController();
	setMaxListeners(0, stop.signal);
	const closers: Array<() => unknown> = [];
	const counters: Counters = { phoneCards: 0, phoneReconnects: 0, editorEdits: 0, editorResets: 0, displayCards: 0 };
	try {
		const owner = new Client(server.url);
		await owner.ok('POST', '/api/auth/signup', { email: 'soak@bench.example', password: 'feedback loops' });
		const networks = await setUpNetworks(owner);
		for (const [i, n] of networks.entries()) await startRun(owner, n, i);
		void keepRunning(owner, networks, stop.signal);
		for (let i = 0; i < EDITORS; i++) closers.push(await editor(server.url, networks[i % LOOPS].id, owner, counters, stop.signal));
		await Promise.all(Array.from({ length: PHONES }, (_, i) => sleep(Math.random() * 5000).then(() => phone(server.url, networks[i % LOOPS], counters, stop.signal))));
		const kinds: string[] = [];
		for (let i = 0; i < DISPLAYS; i++) {
			const d = await display(server.url, owner, networks[i % LOOPS], i, counters, stop.signal);
			closers.push(d.close);
			kinds.push(d.kind);
		}
		console.log(`  running: ${LOOPS} loops, ${EDITORS} editors, ${PHONES} phones, displays: ${kinds.join(', ') || 'none'}`);

		const rows: Row[] = [];
		const t0 = Date.now();
		const end = t0 + MINUTES * 60_000;
		const snapshotTimes =
			SNAPSHOTS <= 0 ? [] : SNAPSHOTS === 1 ? [MINUTES * 60] : Array.from({ length: SNAPSHOTS }, (_, k) => WARMUP_S + (k * (MINUTES * 60 - WARMUP_S - SAMPLE_MS / 1000)) / (SNAPSHOTS - 1));
		let snapshotsTaken = 0;
		let previous: { t: number; cards: number; phoneCards: number } | null = null;
		while (Date.now() < end) {
			await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
			const { sample } = await server.ask<{ sample: ProbeSample }>({ type: 'sample' });
			const t = (Date.now() - t0) / 1000;
			const perMin = (now: number, before: number | undefined) => (previous ? ((now - before!) / (t - previous.t)) * 60 : NaN);
			const row: Row = {
				t: Math.round(t),
				rss: sample.rss,
				heapUsed: sample.heapUsed,
				heapTotal: sample.heapTotal,
				external: sample.external + sample.arrayBuffers,
				arrayBuffers: sample.arrayBuffers,
				loopP50: Math.round(sample.loopDelayP50Ms * 10) / 10,
				loopP99: Math.round(sample.loopDelayP99Ms * 10) / 10,
				loopMax: Math.round(sample.loopDelayMaxMs * 10) / 10,
				handles: Object.values(sample.handles).reduce((a, b) => a + b, 0),
				tcp: (sample.handles.TCPSocketWrap ?? 0) + (sample.handles.TCPServerWrap ?? 0),
				timers: sample.handles.Timeout ?? 0,
				dbBytes: DB === 'pglite' ? dirBytes(path.join(server.dataDir, 'pglite')) : (sample.dbBytes ?? NaN),
				feedStructs: sample.feedStructs,
				graphStructs: sample.graphStructs,
				cards: sample.cards,
				invocationsPerMin: Math.round(perMin(sample.cards, previous?.cards)),
				phonesCardsPerMin: Math.round(perMin(counters.phoneCards, previous?.phoneCards)),
				editorEdits: counters.editorEdits,
				editorResets: counters.editorResets
			};
			previous = { t, cards: sample.cards, phoneCards: counters.phoneCards };
			rows.push(row);
			fs.writeFileSync(path.join(OUT, 'samples.csv'), toCsv(rows, CSV_KEYS));
			console.log(
				`  ${(t / 60).toFixed(1).padStart(5)} min  rss ${(row.rss / MB).toFixed(0)} MB  heap ${(row.heapUsed / MB).toFixed(1)} MB  loop p99 ${row.loopP99} ms  handles ${row.handles}  db ${(row.dbBytes / MB).toFixed(1)} MB  structs feed ${row.feedStructs} graph ${row.graphStructs}  ${row.invocationsPerMin}/min`
			);
			while (snapshotTimes.length && t >= snapshotTimes[0]) {
				snapshotTimes.shift();
				const file = path.join(OUT, `heap-${++snapshotsTaken}-${Math.round(t)}s.heapsnapshot`);
				const started = Date.now();
				await server.ask({ type: 'heap-snapshot', path: file });
				console.log(`  heap snapshot ${path.basename(file)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
			}
		}
		stop.abort();
		const { tables } = await server.ask<{ tables: Array<{ table: string; bytes: number; live: number; dead: number }> }>({ type: 'tables' }).catch(() => ({ tables: [] }));
		console.log('\nbiggest tables at the end: ' + tables.map((t) => `${t.table} ${(t.bytes / MB).toFixed(1)} MB (${t.live} live, ${t.dead} dead rows)`).join('; '));

		const title = `bench:soak ${DB}: ${LOOPS} loops @ ${PACING_MS} ms, ${EDITORS} editors, ${PHONES} phones, ${DISPLAYS} display(s), ${MINUTES} min (warm-up ${WARMUP_S / 60} min shaded)`;
		fs.writeFileSync(path.join(OUT, 'chart.svg'), chartSvg(rows, METRICS, WARMUP_S, title));
		console.log(`\nslopes per hour after the ${WARMUP_S / 60}-minute warm-up (least squares over ${rows.filter((r) => r.t >= WARMUP_S).length} samples):`);
		console.log('metric'.padEnd(30) + 'first'.padStart(12) + 'last'.padStart(12) + 'slope/hour'.padStart(16));
		for (const m of METRICS) {
			const f = fit(rows, m.key, m.scale, WARMUP_S);
			if (!f) continue;
			const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
			console.log(`${m.label.padEnd(30)}${fmt(f.first).padStart(12)}${fmt(f.last).padStart(12)}${`${f.slopePerHour >= 0 ? '+' : ''}${fmt(f.slopePerHour)} ${m.unit}`.padStart(16)}`);
		}
		const restarts = networks.reduce((s, n) => s + n.restarts, 0);
		console.log(
			`\n${rows.at(-1)?.cards ?? 0} invocations completed; runs restarted: ${restarts}; phone streams reopened: ${counters.phoneReconnects}; editor moves: ${counters.editorEdits}; editor restarts on 4409 (too far behind): ${counters.editorResets}; cards on phones: ${counters.phoneCards}`
		);
		console.log(`wrote ${path.join(OUT, 'samples.csv')} and ${path.join(OUT, 'chart.svg')}`);
	} finally {
		stop.abort();
		for (const close of closers) await Promise.resolve(close()).catch(() => {});
		await server.stop();
		await dropDatabase?.().catch((e) => console.log(`dropping the soak database failed: ${e.message}`));
	}
}

await main();
process.exit(0);
