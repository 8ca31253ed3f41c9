// bench:audience — a symposium in one process: 500 simulated phones join a network with a
// join code (each its own audience session, all from 127.0.0.1; a phone told to wait, since one
// address joins at most so many at once, tries again as the phone page does), watch the live feed over
// Server-Sent Events and send prompts at a realistic rate while a loop of instant dummy
// models produces cards. Reports: join burst time, card fan-out latency p50/p99 (card
// createdAt → phone), prompts accepted / refused by the rate limit (and a check that every
// accepted prompt is recorded), and server RSS. For reference, the same phones then watch the
// same feed through the stock y-websocket client (the editor's path), side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ensureBuild } from '../build-if-stale.js';

process.setMaxListeners(0);
const here = path.dirname(fileURLToPath(import.meta.url));
const PHONES = Number(process.env.BENCH_PHONES || 500);
const SECONDS = Number(process.env.BENCH_SECONDS || 30);
/** Mean seconds between one phone's prompts: people think before they type. */
const MEAN_PROMPT_GAP_S = Number(process.env.BENCH_PROMPT_GAP || 40);
/** A few eager people hammer the send button; the rate limit must stop them. */
const SPAMMERS = 10;
const SPAM_BURST = 10;

interface Server {
	url: string;
	child: ChildProcess;
	dataDir: string;
}

async function startServer(): Promise<Server> {
	ensureBuild({ quiet: true });
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-bench-audience-'));
	const port = 20000 + Math.floor(Math.random() * 20000);
	const child = spawn(process.execPath, [path.join(here, '..', 'serve.js')], {
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PANIC_DATA_DIR: dataDir, PANIC_DUMMY_MODELS: '1' }
	});
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 600; i++) {
		try {
			if ((await fetch(`${url}/api/health`)).ok) return { url, child, dataDir };
		} catch {
			/* not up yet */
		}
		await sleep(100);
	}
	throw new Error('server did not start');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/** A cookie jar of one: each phone and the owner keep their own session cookie. */
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
}

async function setUpNetwork(base: string) {
	const owner = new Client(base);
	await owner.call('POST', '/api/auth/signup', { email: 'facilitator@bench.example', password: 'feedback loops' });
	const { body: network } = await owner.call('POST', '/api/networks', { name: 'symposium' });
	const id = network.id as string;
	await owner.call('PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'a', modelId: 'dummy/echo', x: 0, y: 0 },
			{ id: 'b', modelId: 'dummy/upper', x: 200, y: 0 }
		],
		edges: [
			{ id: 'ab', source: 'a', target: 'b' },
			{ id: 'ba', source: 'b', target: 'a' }
		],
		startNodeId: 'a'
	});
	// Five cards a second, and a new prompt may replace the run every 5 s.
	const patched = await owner.call('PATCH', `/api/networks/${id}`, {
		settings: { pacing: { fixedMs: 200 }, lockoutSeconds: 5 },
		audience: { queueMode: 'auto', promptsPerMinute: 3 }
	});
	if (patched.status !== 200) throw new Error(`PATCH failed: ${JSON.stringify(patched.body)}`);
	const code = await owner.call('POST', `/api/networks/${id}/join-codes`);
	return { owner, id, code: code.body.code as string };
}

interface Latencies {
	samples: number[];
	cards: Set<string>;
}

/** Reads an SSE stream, recording each card's latency; resolves once the snapshot arrived. */
function watchSse(base: string, networkId: string, phone: Client, latencies: Latencies, stop: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		fetch(`${base}/api/networks/${networkId}/feed?cards=12`, { headers: { cookie: phone.cookie }, signal: stop })
			.then(async (res) => {
				if (!res.ok || !res.body) return reject(new Error(`feed ${res.status}`));
				const decoder = new TextDecoder();
				let buffer = '';
				const reader = res.body.getReader();
				for (;;) {
					const { done, value } = await reader.read();
					if (done) break;
					buffer += decoder.decode(value, { stream: true });
					for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
						const block = buffer.slice(0, end);
						buffer = buffer.slice(end + 2);
						const name = /^event: (.+)$/m.exec(block)?.[1];
						const data = /^data: (.+)$/m.exec(block)?.[1];
						if (name === 'snapshot') resolve();
						if (name === 'card' && data) {
							const card = JSON.parse(data);
							latencies.samples.push(Date.now() - Date.parse(card.createdAt));
							latencies.cards.add(card.id);
						}
					}
				}
			})
			.catch((error) => {
				if (!stop.aborted) reject(error);
			});
	});
}

/** The editor's path for comparison: the stock y-websocket client on the feed room. */
function watchYjs(base: string, networkId: string, phone: Client, latencies: Latencies): Promise<WebsocketProvider> {
	const doc = new Y.Doc();
	const headers = { origin: base, cookie: phone.cookie };
	const Socket = class extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { headers });
		}
	};
	const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/sync`, `${networkId}/feed`, doc, {
		WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		resyncInterval: -1
	});
	// Counted from the first sync on: the cards already there arrive with it and are not news.
	return new Promise((resolve) =>
		provider.once('sync', () => {
			doc.getArray<{ id: string; createdAt: string }>('cards').observe((event) => {
				const now = Date.now();
				for (const item of event.changes.added) {
					for (const card of item.content.getContent() as Array<{ id: string; createdAt: string }>) {
						latencies.samples.push(now - Date.parse(card.createdAt));
						latencies.cards.add(card.id);
					}
				}
			});
			resolve(provider);
		})
	);
}

function summary(name: string, latencies: Latencies, expectedPerCard: number, extra: Record<string, string | number> = {}) {
	const sorted = [...latencies.samples].sort((a, b) => a - b);
	return {
		path: name,
		cards: latencies.cards.size,
		deliveries: sorted.length,
		expected: latencies.cards.size * expectedPerCard,
		p50: percentile(sorted, 50),
		p99: percentile(sorted, 99),
		max: sorted[sorted.length - 1] ?? NaN,
		...extra
	};
}

async function main() {
	const server = await startServer();
	const pid = server.child.pid!;
	let peakRss = 0;
	const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 250);
	try {
		const { owner, id, code } = await setUpNetwork(server.url);
		const idleRss = rssMb(pid);
		console.log(`bench:audience — ${PHONES} phones, ${SECONDS} s of prompts (mean gap ${MEAN_PROMPT_GAP_S} s), ${SPAMMERS} spammers; server idle RSS ${idleRss.toFixed(0)} MB`);

		// 1. Everyone scans the QR code at once.
		const phones = Array.from({ length: PHONES }, () => new Client(server.url));
		const joinStart = performance.now();
		let toldToWait = 0;
		const joined = await Promise.all(
			phones.map(async (p) => {
				for (;;) {
					const r = await p.call('POST', `/api/join/${code}`);
					if (r.status !== 429 && r.status !== 503) return r;
					// As the phone page does: wait as told, plus up to five seconds so a hall does not return at once.
					toldToWait++;
					await sleep((r.body?.details?.retryAfterSeconds ?? 5) * 1000 + Math.random() * 5000);
				}
			})
		);
		const joinMs = performance.now() - joinStart;
		const refusedJoins = joined.filter((r) => r.status !== 200).length;

		const sse: Latencies = { samples: [], cards: new Set() };
		const stop = new AbortController();
		const watchStart = performance.now();
		await Promise.all(phones.map((p) => watchSse(server.url, id, p, sse, stop.signal)));
		const watchMs = performance.now() - watchStart;
		const connectedRss = rssMb(pid);

		// 2. Prompts: each phone sends at random (exponential gaps); spammers burst.
		const accepted: string[] = [];
		const statuses = new Map<string, number>();
		const record = (r: { status: number; body: any }) => {
			// A 429 is either this person's rate limit or the queue being full: tell them apart.
			const key = r.status === 429 && /full/i.test(r.body?.error ?? '') ? '429 queue full' : String(r.status);
			statuses.set(key, (statuses.get(key) ?? 0) + 1);
			if (r.status === 201) accepted.push(r.body.id);
		};
		const until = Date.now() + SECONDS * 1000;
		let spammerRefusals = 0;
		const senders = phones.map(async (phone, i) => {
			if (i < SPAMMERS) {
				for (let n = 0; n < SPAM_BURST; n++) {
					const r = await phone.call('POST', `/api/networks/${id}/prompts`, { text: `spam ${i} ${n}` });
					record(r);
					if (r.status === 429) spammerRefusals++;
				}
				return;
			}
			for (;;) {
				const gap = -Math.log(1 - Math.random()) * MEAN_PROMPT_GAP_S * 1000;
				if (Date.now() + gap > until) return;
				await sleep(gap);
				record(await phone.call('POST', `/api/networks/${id}/prompts`, { text: `a thought from phone ${i} at ${Date.now() % 100000}` }));
			}
		});
		await Promise.all(senders);
		await sleep(1000);
		stop.abort();
		const sseResult = summary('SSE (phones)', sse, PHONES, { rssMb: Math.round(peakRss) });

		// 3. Every accepted prompt is recorded.
		const queue = await owner.call('GET', `/api/networks/${id}/prompts`);
		const recordedIds = new Set<string>([...(queue.body.waiting ?? []), ...(queue.body.recent ?? [])].map((p: { id: string }) => p.id));
		const missing = accepted.filter((a) => !recordedIds.has(a));

		// 4. Reference: the same phones on the feed room through the stock y-websocket client.
		await sleep(500);
		const yjs: Latencies = { samples: [], cards: new Set() };
		const providers = await Promise.all(phones.map((p) => watchYjs(server.url, id, p, yjs)));
		peakRss = rssMb(pid);
		// Keep cards coming: a member's prompt starts a fresh run when the lockout allows.
		const yjsUntil = Date.now() + Math.min(SECONDS, 15) * 1000;
		while (Date.now() < yjsUntil) {
			await owner.call('POST', `/api/networks/${id}/prompts`, { text: `facilitator ${Date.now() % 100000}` });
			await sleep(5000);
		}
		await sleep(1000);
		// A provider's destroy leaves its doc and the doc's awareness alive, and each awareness
		// keeps a timer (y-protocols' outdated-state check): destroying the doc ends both, or
		// 500 timers keep the process up after the table is printed.
		for (const provider of providers) {
			provider.destroy();
			provider.doc.destroy();
		}
		const yjsResult = summary('y-websocket feed room (reference)', yjs, PHONES, { rssMb: Math.round(peakRss) });

		console.log(
			`joins: ${PHONES} in ${joinMs.toFixed(0)} ms (${refusedJoins} refused, all from one IP; ${toldToWait} times told to wait and retried); SSE snapshots to all in ${watchMs.toFixed(0)} ms; RSS ${connectedRss.toFixed(0)} MB with ${PHONES} streams open`
		);
		console.log(
			`prompts: ${accepted.length} accepted, by status ${JSON.stringify(Object.fromEntries(statuses))}; spammers refused ${spammerRefusals} of ${SPAMMERS * SPAM_BURST}; accepted but not recorded: ${missing.length}`
		);
		console.table([sseResult, yjsResult]);
		console.log(`ratio SSE/reference: p50 ×${(sseResult.p50 / yjsResult.p50).toFixed(2)}, p99 ×${(sseResult.p99 / yjsResult.p99).toFixed(2)}`);
		if (missing.length || refusedJoins) process.exitCode = 1;
	} finally {
		clearInterval(sampler);
		server.child.kill('SIGTERM');
		await new Promise((r) => server.child.once('exit', r));
		fs.rmSync(server.dataDir, { recursive: true, force: true });
	}
}

await main();
