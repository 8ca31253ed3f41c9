// bench:atlas — the attractor atlas of BENCH_RUNS runs (default 100) × BENCH_STEPS steps
// (default 40) of the built-in paint ↔ caption loop, made through the API of a production
// server like any user's runs. Prints how long the atlas takes cold (no fingerprint cached, then
// a fresh process with the fingerprints cached) and warm (cached atlas), and how long the server
// takes to render the atlas page (/networks/:id/atlas) each way. BENCH_DATA=<dir> keeps the
// runs there for another measurement of the same runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuild } from '../build-if-stale.js';
import { loopGraph } from '../../tests/helpers/graphs';
import { AtlasStore } from '../../server/atlas/store';
import { embeddedDatabasePath, openDatabase } from '../../server/db/connect';
import { launchBrowser } from '../../tests/helpers/browser';
import { ApiClient, startServer, type TestServer } from '../../tests/helpers/server';

const RUNS = Number(process.env.BENCH_RUNS || 100);
const STEPS = Number(process.env.BENCH_STEPS || 40);
const COLOURS = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'black', 'white', 'grey'];
const THINGS = ['circle', 'square', 'triangle', 'star', 'house', 'boat', 'tree', 'moon', 'fish', 'kite'];
const prompts = Array.from({ length: RUNS }, (_, i) => `a ${COLOURS[i % 10]} ${THINGS[Math.floor(i / 10) % 10]} ${i >= 100 ? `number ${i}` : 'at dawn'}`);

ensureBuild();
// BENCH_DATA=<dir> keeps the data there and, on a second call, measures the same runs again.
const dataDir = process.env.BENCH_DATA ? path.resolve(process.env.BENCH_DATA) : fs.mkdtempSync(path.join(os.tmpdir(), 'panic-bench-atlas-'));
fs.mkdirSync(dataDir, { recursive: true });
const saved = path.join(dataDir, 'bench-atlas.json');
const reuse = fs.existsSync(saved) ? (JSON.parse(fs.readFileSync(saved, 'utf8')) as { id: string; runs: number; steps: number }) : null;
let server: TestServer = await startServer({ dataDir });
const client = new ApiClient(server.url);
const ok = async (method: string, url: string, body?: unknown) => {
	const res = await client.json(method, url, body);
	if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
	return res.body;
};

try {
	let id: string;
	if (reuse) {
		await ok('POST', '/api/auth/login', { email: 'bench@example.org', password: 'bench password 1' });
		id = reuse.id;
		console.log(`bench:atlas — the ${reuse.runs} runs × ${reuse.steps} steps of paint ↔ caption kept in ${dataDir}`);
	} else {
		await ok('POST', '/api/auth/signup', { email: 'bench@example.org', password: 'bench password 1' });
		id = (await ok('POST', '/api/networks', { name: 'atlas bench' })).id;
		await ok('PUT', `/api/networks/${id}/graph`, loopGraph('local/paint', 'local/caption'));
		await ok('PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 0 }, budgets: { maxInvocations: STEPS }, stopOnFixedPoint: false } });
		const making = performance.now();
		for (const [i, text] of prompts.entries()) {
			const { runId } = await ok('POST', `/api/networks/${id}/runs`, { input: { kind: 'text', text } });
			// A bench may poll: it waits on another process.
			while ((await ok('GET', `/api/runs/${runId}?limit=1`)).status === 'running') await new Promise((r) => setTimeout(r, 25));
			if ((i + 1) % 20 === 0) process.stderr.write(`  ${i + 1}/${RUNS} runs made\n`);
		}
		console.log(`bench:atlas — ${RUNS} runs × ${STEPS} steps of paint ↔ caption made in ${((performance.now() - making) / 1000).toFixed(1)} s`);
		if (process.env.BENCH_DATA) fs.writeFileSync(saved, JSON.stringify({ id, runs: RUNS, steps: STEPS }));
	}

	const timed = async (what: string, url: string) => {
		const start = performance.now();
		const res = await client.request('GET', url);
		const text = await res.text();
		const ms = performance.now() - start;
		if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 200)}`);
		const computed = /Computed in (\d+) ms/.exec(text)?.[1];
		console.log(`${what.padEnd(66)}${ms.toFixed(0).padStart(7)} ms${computed ? `   (atlas ${computed} ms of it)` : ''}   ${(text.length / 1024).toFixed(0)} KB`);
		return text;
	};
	// The page in Chromium, from a page of the site already open (a renderer running, as for
	// someone following a link): from navigation to the attractors on screen, and to the load
	// event (every example picture loaded) and hydration.
	const browser = await launchBrowser();
	const inChromium = async (what: string) => {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: server.url })));
		const page = await context.newPage();
		await page.goto(`${server.url}/api/health`);
		const start = performance.now();
		await page.goto(`${server.url}/networks/${id}/atlas`, { waitUntil: 'commit' });
		await page.getByTestId('attractor').first().waitFor({ state: 'visible' });
		const visible = performance.now() - start;
		await page.waitForFunction(() => 'hydrated' in document.documentElement.dataset, null, { polling: 10 });
		const hydrated = performance.now() - start;
		await page.waitForLoadState('load');
		const loaded = performance.now() - start;
		const computed = (await page.getByTestId('atlas-timing').textContent())?.match(/(\d+) ms/)?.[1];
		console.log(`${what.padEnd(66)}${visible.toFixed(0).padStart(7)} ms   (atlas ${computed} ms of it; hydrated ${hydrated.toFixed(0)} ms, load event ${loaded.toFixed(0)} ms)`);
		await context.close();
	};
	/** A fresh server process on the same data; `forget` drops the stored atlases first, so it computes. */
	const fresh = async (forget: boolean) => {
		await server.stop();
		if (forget) {
			const db = await openDatabase({ url: embeddedDatabasePath(dataDir) });
			await new AtlasStore(db).forget(id);
			await db.destroy();
		}
		server = await startServer({ dataDir, port: Number(new URL(server.url).port) });
	};

	try {
		// Kept runs may have their atlas stored by an earlier bench: not this time.
		if (reuse) await fresh(true);
		const atlas = JSON.parse(await timed(`atlas API, cold (${reuse ? 'fingerprints stored' : 'fingerprints computed'})`, `/api/networks/${id}/atlas`));
		await timed('atlas API, warm (in memory)', `/api/networks/${id}/atlas`);
		await timed('atlas page server render, warm', `/networks/${id}/atlas`);
		await inChromium('atlas page in Chromium, warm, to attractors visible');

		// Fresh processes: nothing in memory. First with no atlas stored (computed from the stored
		// fingerprints), then with the atlas the first one stored.
		await fresh(true);
		await timed('fresh process, atlas not stored: page server render', `/networks/${id}/atlas`);
		await fresh(true);
		await timed('fresh process, atlas not stored: atlas API', `/api/networks/${id}/atlas`);
		await fresh(true);
		await inChromium('fresh process, atlas not stored: Chromium, to attractors visible');
		await fresh(false);
		await timed('fresh process, atlas stored: page server render', `/networks/${id}/atlas`);
		await fresh(false);
		await timed('fresh process, atlas stored: atlas API', `/api/networks/${id}/atlas`);
		await fresh(false);
		await inChromium('fresh process, atlas stored: Chromium, to attractors visible');
		await timed('atlas page server render, warm', `/networks/${id}/atlas`);
		await timed('atlas API, warm', `/api/networks/${id}/atlas`);
		for (const m of atlas.modalities) {
			console.log(`  ${m.kind}: ${m.attractors.length} attractors, biggest basins ${m.attractors.slice(0, 5).map((a: { basin: number }) => a.basin).join(', ')}; absorbing ${m.transitions.absorbing.length}`);
		}
		console.log(`  network: ${server.url}/networks/${id}/atlas (data in ${dataDir})`);
		if (process.env.BENCH_KEEP) {
			console.log('  BENCH_KEEP set: the server stays up; Ctrl-C to end.');
			await new Promise(() => {});
		}
	} finally {
		await browser.close();
	}
} finally {
	await server.stop();
	if (!process.env.BENCH_KEEP && !process.env.BENCH_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
}
