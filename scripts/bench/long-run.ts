// bench:long-run — one loop of built-in models run for many steps (default 100,000) with no
// pacing and no stop but the step count (fixed points do not stop it), in the app as the
// server builds it (createPanic: the step gate, the feed room, the run streams). Prints the
// engine's overhead per step in windows of steps, two ways, medians per window since the machine
// is shared: wall time between two completions minus the time inside the model call, and the
// process's CPU time between two completions minus the CPU time inside the model call. The CPU
// figure is the one that holds on a loaded machine: wall time also counts the time the process
// waits for a core, which follows the load, not the run's length. Prints the ratio of the last
// window to the first for both. The heap is read after a forced full GC (retained memory, not
// garbage V8 has not collected yet) at the checkpoints and in the progress lines;
// `--heap-snapshots 5000,20000` writes V8 heap snapshots at those steps for
// scripts/bench/heap-diff.ts. At step ~100 and at the end the run is paused and
// the costs that must not grow with the run's length are measured: live loop detection per
// step, the run page's server load (its real `load`, analysis included), the run stream's
// read per update and its live analysis, and a feed card's write. Ratios end/start. The costs
// bounded by a window (the analysis covers the newest 2,000 outputs, detection each node's last
// 10,000 own steps) grow until their window fills, so they are measured a third time half-way
// (`--mid`), after the windows have filled on a long run: end/mid is the ratio that must stay flat.
//
//   npm run bench:long-run -- --steps 100000 --db pglite|postgres --nodes 3 [--heap-snapshots 5000,20000]
//
// PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a fresh database is made
// and dropped). The script imports the run page's `load`, so `svelte-kit sync` runs first
// (the npm script does it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as Y from 'yjs';
import { createPanic } from '../../server/app';
import { configFromEnv } from '../../server/config';
import { appendCards, cardsOf } from '../../server/engine/feed';
import { LoopWatcher } from '../../server/analysis/loop-watcher';
import { DUMMY_MODELS } from '../../server/platforms/dummy/index';
import { LOCAL_MODELS } from '../../server/platforms/local/index';
import { writeGraph } from '../../server/shared/graph/doc';
import { createPostgresDatabase } from '../../tests/helpers/databases';
import { load as runPageLoad } from '../../src/routes/runs/[id]/+page.server';
import { leastSquares } from './soak-chart';

const { values: opts } = parseArgs({
	options: {
		steps: { type: 'string', default: '100000' },
		db: { type: 'string', default: 'pglite' },
		nodes: { type: 'string', default: '3' },
		window: { type: 'string', default: '1000' },
		checkpoint: { type: 'string', default: '100' },
		// The middle checkpoint (default half-way).
		mid: { type: 'string' },
		// The bench's own time box on a busy machine: the end is measured at the step reached by then.
		'max-minutes': { type: 'string' },
		// Steps at which to write a heap snapshot (after a full GC), comma-separated.
		'heap-snapshots': { type: 'string', default: '' },
		'snapshot-dir': { type: 'string', default: 'tmp' }
	}
});
const STEPS = Number(opts.steps);
const NODES = Math.max(1, Number(opts.nodes));
const WINDOW = Math.max(1, Number(opts.window));
const EARLY = Math.min(Number(opts.checkpoint), Math.floor(STEPS / 2));
const MID = Math.min(Math.max(EARLY + 1, Number(opts.mid ?? Math.floor(STEPS / 2))), STEPS - 1);
const MAX_MS = opts['max-minutes'] ? Number(opts['max-minutes']) * 60_000 : Infinity;
if (!Number.isInteger(STEPS) || STEPS < 2 * WINDOW) throw new Error(`--steps must be at least twice --window (${WINDOW}).`);
if (opts.db !== 'pglite' && opts.db !== 'postgres') throw new Error('--db is pglite or postgres.');

const SNAPSHOT_STEPS = opts['heap-snapshots']
	.split(',')
	.filter(Boolean)
	.map(Number)
	.filter((n) => Number.isInteger(n) && n > 0 && n < STEPS);

// A full collection without --expose-gc on the command line (the npm script runs tsx): the flag
// set at run time exposes `gc` to contexts created afterwards.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap used after a full GC, in MB: what the process retains. */
const retainedHeapMb = () => {
	gc();
	return process.memoryUsage().heapUsed / 1024 / 1024;
};
/** Process CPU time (user + system, all threads) in ms. */
const cpuMs = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
};

/** Text models of the built-in platforms the ring goes through, in turn. */
const RING = ['local/associate', 'dummy/upper', 'local/distil', 'dummy/echo'];

// Time inside model calls and inside live loop detection, wrapped where the engine calls them.
// The ring has one invocation in flight at a time, so what accrues between two cards is one step's.
let modelMs = 0;
let modelCpuMs = 0;
for (const model of [...LOCAL_MODELS, ...DUMMY_MODELS]) {
	const run = model.run.bind(model);
	model.run = async (...args) => {
		const t = performance.now();
		const c = cpuMs();
		try {
			return await run(...args);
		} finally {
			modelMs += performance.now() - t;
			modelCpuMs += cpuMs() - c;
		}
	};
}
let detectMs = 0;
let watcher: LoopWatcher | null = null;
const observe = LoopWatcher.prototype.observe;
LoopWatcher.prototype.observe = function (this: LoopWatcher, ...args: Parameters<typeof observe>) {
	watcher = this;
	const t = performance.now();
	try {
		return observe.apply(this, args);
	} finally {
		detectMs += performance.now() - t;
	}
};

const median = (xs: number[]) => {
	const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
	return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const p90 = (xs: number[]) => {
	const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
	return s.length ? s[Math.floor((s.length - 1) * 0.9)] : NaN;
};
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function openBackend(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
	if (opts.db === 'pglite') return { env: {}, drop: async () => {} };
	const adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
	if (!adminUrl) throw new Error('--db postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL.');
	const database = await createPostgresDatabase(adminUrl);
	return { env: { DATABASE_URL: database.url }, drop: () => database.drop() };
}

interface Checkpoint {
	step: number;
	detectionUs: number;
	detectionHeld: number;
	pageMs: number;
	/** The same in CPU time (the run is paused: the process does little else), which a busy machine inflates less. */
	pageCpuMs: number;
	streamReadMs: number;
	streamCpuMs: number;
	streamAnalysisMs: number;
	feedCardMs: number;
	feedDocKb: number;
	rssMb: string;
	heapMb: string;
	retainedMb: number;
}

async function main() {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-long-run-'));
	const backend = await openBackend();
	const config = configFromEnv({ ...process.env, ...backend.env, PANIC_DATA_DIR: dataDir, PANIC_DUMMY_MODELS: '1', REDIS_URL: '' });
	const panic = await createPanic(config, { resume: false });
	try {
		console.log(
			`bench:long-run — ${STEPS.toLocaleString('en')} steps of a ${NODES}-node loop of built-in models (${RING.slice(0, NODES).join(' → ')} → …), no pacing, on ${opts.db}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`
		);
		const { user } = await panic.accounts.signup({ email: `bench-${Date.now()}@example.org`, password: 'long-run-bench-password' }, 'bench');
		const network = await panic.createNetwork(user, 'long run');
		// The run ends at the last checkpoint (stopped), never by a budget or a fixed point before it.
		await panic.updateNetwork(network.id, user, { settings: { pacing: { fixedMs: 0 }, budgets: { maxInvocations: STEPS + 100 }, stopOnFixedPoint: false } });
		const nodes = Array.from({ length: NODES }, (_, i) => ({ id: `n${i}`, modelId: RING[i % RING.length], x: i * 200, y: 0 }));
		const edges = nodes.map((n, i) => ({ id: `e${i}`, source: n.id, target: nodes[(i + 1) % NODES].id }));
		await panic.rooms.withRoom(network.id, (room) => room.change((doc) => writeGraph(doc, { nodes, edges, startNodeId: 'n0' })));

		const overhead = new Float64Array(STEPS).fill(NaN);
		const overheadCpu = new Float64Array(STEPS).fill(NaN);
		const model = new Float64Array(STEPS).fill(NaN);
		const detection = new Float64Array(STEPS).fill(NaN);
		let step = 0;
		let last = 0;
		let lastCpu = 0;
		let skipNext = false;
		let runId = '';
		panic.engine.events.on('card', (e) => {
			if (e.runId !== runId) return;
			const now = performance.now();
			const cpu = cpuMs();
			if (step < STEPS) {
				// A step whose interval spans a pause (the checkpoints) says nothing about overhead.
				if (!skipNext && last) {
					overhead[step] = now - last - modelMs;
					overheadCpu[step] = cpu - lastCpu - modelCpuMs;
					model[step] = modelMs;
					detection[step] = detectMs;
				}
			}
			skipNext = false;
			modelMs = 0;
			modelCpuMs = 0;
			detectMs = 0;
			last = now;
			lastCpu = cpu;
			step++;
			for (const resolve of waitingMany.get(step) ?? []) resolve();
		});
		const waitingMany = new Map<number, Array<() => void>>();
		const reached = (n: number) => new Promise<void>((resolve) => waitingMany.set(n, [...(waitingMany.get(n) ?? []), resolve]));
		/** Median overhead of the latest full window, for the progress lines. */
		const latestWindow = (of: Float64Array) => {
			const to = Math.floor(Math.min(step, STEPS) / WINDOW) * WINDOW;
			return to ? median([...of.slice(to - WINDOW, to)]) : NaN;
		};
		const snapshots: string[] = [];
		for (const at of SNAPSHOT_STEPS)
			void reached(at).then(() => {
				// Synchronous: the step in flight waits for it, so that step's interval is not counted.
				skipNext = true;
				const file = path.resolve(opts['snapshot-dir'], `long-run-${at}.heapsnapshot`);
				fs.mkdirSync(path.dirname(file), { recursive: true });
				gc();
				snapshots.push(v8.writeHeapSnapshot(file));
				console.log(`  heap snapshot at step ${at.toLocaleString('en')}: ${file}`);
			});

		const t0 = performance.now();
		const early = reached(EARLY);
		const end = reached(STEPS);
		({ runId } = await panic.engine.start(network.id, { kind: 'text', text: 'the cold river carries fire into the dark night' }, user.id));
		last = performance.now();

		const measure = async (atStep: number): Promise<Checkpoint> => {
			await panic.engine.pauseRun(runId);
			// The step that was starting when the pause came finishes, fans out and waits in the queue.
			await new Promise((r) => setTimeout(r, 300));
			const run = (await panic.runReader.get(runId))!;
			const locals = { user, panic };
			const url = new URL(`http://bench.local/runs/${runId}`);
			const pageMs: number[] = [];
			const pageCpu: number[] = [];
			for (let i = 0; i < 3; i++) {
				const t = performance.now();
				const c = cpuMs();
				const data = (await runPageLoad({ params: { id: runId }, locals, url } as never)) as { analysis: Promise<unknown> };
				await data.analysis;
				pageMs.push(performance.now() - t);
				pageCpu.push(cpuMs() - c);
			}
			const reads: number[] = [];
			const analyses: number[] = [];
			const streamCpu: number[] = [];
			for (let i = 0; i < 3; i++) {
				const t = performance.now();
				const c = cpuMs();
				const stream = await panic.runStreams.open(run, { userId: user.id, loginSession: null, basis: 'member' });
				const reader = stream.getReader();
				let text = '';
				let readAt = NaN;
				while (!text.includes('event: analysis')) {
					const { value, done } = await reader.read();
					if (done) break;
					text += new TextDecoder().decode(value);
					if (Number.isNaN(readAt) && text.includes('event: invocations')) readAt = performance.now();
				}
				const analysedAt = performance.now();
				await reader.cancel();
				streamCpu.push(cpuMs() - c);
				reads.push(readAt - t);
				analyses.push(analysedAt - readAt);
			}
			const feedRoom = `${network.id}/feed`;
			const cardMs: number[] = [];
			for (let i = 0; i < 50; i++) {
				const card = { id: `bench-${atStep}-${i}`, runId, nodeId: 'n0', modelId: RING[0], seq: 1e9 + i, kind: 'text' as const, text: 'a bench card', createdAt: new Date().toISOString() };
				const t = performance.now();
				await panic.rooms.withRoom(feedRoom, (room) => room.change((doc) => appendCards(doc, [card]), 'engine'));
				cardMs.push(performance.now() - t);
			}
			const feedDocKb = await panic.rooms.withRoom(feedRoom, (room) =>
				room.read((doc) => {
					cardsOf(doc);
					return Y.encodeStateAsUpdate(doc).byteLength / 1024;
				})
			);
			const from = Math.max(0, atStep - WINDOW);
			const memory = process.memoryUsage();
			const retainedMb = retainedHeapMb();
			const point: Checkpoint = {
				step: atStep,
				detectionUs: median([...detection.slice(from, atStep)]) * 1000,
				detectionHeld: watcher?.remembered ?? NaN,
				pageMs: median(pageMs),
				pageCpuMs: median(pageCpu),
				streamCpuMs: median(streamCpu),
				streamReadMs: median(reads),
				streamAnalysisMs: median(analyses),
				feedCardMs: median(cardMs),
				feedDocKb,
				rssMb: mb(memory.rss),
				heapMb: mb(memory.heapUsed),
				retainedMb
			};
			console.log(`  checkpoint at step ${atStep.toLocaleString('en')}: measured (load average ${os.loadavg()[0].toFixed(2)})`);
			return point;
		};

		await early;
		const start = await measure(EARLY);
		skipNext = true;
		await panic.engine.resumeRun(runId);
		const progress = setInterval(() => {
			// The forced GC lands inside a step's interval: that step is not counted.
			skipNext = true;
			const heap = retainedHeapMb();
			console.log(
				`  step ${step.toLocaleString('en')} (${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${os.loadavg()[0].toFixed(2)}; latest window's median overhead ${fmt(latestWindow(overhead))} ms wall, ${fmt(latestWindow(overheadCpu))} ms CPU; heap after GC ${heap.toFixed(1)} MB, RSS ${mb(process.memoryUsage().rss)} MB)`
			);
		}, 60_000);
		let timedOut = false;
		// No --max-minutes: no timer (setTimeout takes Infinity as 1 ms and would end the run at once).
		const box = Number.isFinite(MAX_MS) ? [new Promise<void>((resolve) => setTimeout(() => ((timedOut = true), resolve()), MAX_MS).unref())] : [];
		let mid: Checkpoint | null = null;
		await Promise.race([reached(MID), ...box]);
		if (!timedOut) {
			mid = await measure(MID);
			skipNext = true;
			await panic.engine.resumeRun(runId);
		}
		await Promise.race([end, ...box]);
		clearInterval(progress);
		const elapsedS = (performance.now() - t0) / 1000;
		// Whole windows only: the last one measured is the last full window reached.
		const done = timedOut ? Math.floor(step / WINDOW) * WINDOW : STEPS;
		if (timedOut) console.log(`  --max-minutes reached at step ${step.toLocaleString('en')}: the end is measured there`);
		const finish = await measure(timedOut ? step : STEPS);
		await panic.engine.stop(runId);

		console.log(`\n${done.toLocaleString('en')} steps in ${elapsedS.toFixed(0)} s (checkpoints included)\n`);
		console.log('steps              overhead ms wall (median   p90)   CPU (median)   model ms (median)   detection µs (median)');
		const rows: number[] = [];
		const cpuRows: number[] = [];
		for (let from = 0; from + WINDOW <= done; from += WINDOW) {
			const o = [...overhead.slice(from, from + WINDOW)];
			const c = [...overheadCpu.slice(from, from + WINDOW)];
			rows.push(median(o));
			cpuRows.push(median(c));
			// Every window would be 100 lines at 100,000 steps: the first ten, then every tenth, and the last.
			const index = from / WINDOW;
			const shown = index < 10 || index % 10 === 9 || from + 2 * WINDOW > done;
			if (!shown) continue;
			const label = `${(from + 1).toLocaleString('en')}–${(from + WINDOW).toLocaleString('en')}`;
			console.log(
				`${label.padEnd(18)} ${fmt(median(o)).padStart(15)} ${fmt(p90(o)).padStart(7)}   ${fmt(median(c)).padStart(12)}   ${fmt(median([...model.slice(from, from + WINDOW)])).padStart(17)}   ${fmt(median([...detection.slice(from, from + WINDOW)]) * 1000, 1).padStart(21)}`
			);
		}
		// The first window holds the JIT's warm-up and the early checkpoint; the second is the start.
		const first = rows.length > 2 ? 1 : 0;
		const ratio = rows[rows.length - 1] / rows[first];
		const cpuRatio = cpuRows[cpuRows.length - 1] / cpuRows[first];
		const range = (i: number) => `${(i * WINDOW + 1).toLocaleString('en')}–${((i + 1) * WINDOW).toLocaleString('en')}`;
		console.log(`\nper-step engine overhead, steps ${range(first)} → ${range(rows.length - 1)}:`);
		console.log(`  CPU:  ${fmt(cpuRows[first])} ms → ${fmt(cpuRows[cpuRows.length - 1])} ms, end/start ${fmt(cpuRatio, 2)} (aim ≤ 1.20: ${cpuRatio <= 1.2 ? 'met' : 'NOT met'})`);
		console.log(`  wall: ${fmt(rows[first])} ms → ${fmt(rows[rows.length - 1])} ms, end/start ${fmt(ratio, 2)} (follows the machine's load as well)`);
		// One window's median moves by a quarter from one minute to the next on a shared VM, so
		// "at the start" and "at the end" are also read as the median of SPAN windows' steps each
		// (the first window still left out), and the trend as a least-squares line through every
		// window's median: work that grew with the run would tilt it, noise does not.
		const SPAN = Math.min(5, Math.floor((cpuRows.length - first) / 2));
		if (SPAN >= 2) {
			const steps = (fromWindow: number) => [...overheadCpu.slice(fromWindow * WINDOW, (fromWindow + SPAN) * WINDOW)];
			const [startCpu, endCpu] = [median(steps(first)), median(steps(cpuRows.length - SPAN))];
			const spanRatio = endCpu / startCpu;
			const spanRange = (i: number) => `${(i * WINDOW + 1).toLocaleString('en')}–${((i + SPAN) * WINDOW).toLocaleString('en')}`;
			console.log(`  CPU, ${SPAN} windows each, steps ${spanRange(first)} → ${spanRange(cpuRows.length - SPAN)}: ${fmt(startCpu)} ms → ${fmt(endCpu)} ms, end/start ${fmt(spanRatio, 2)} (aim ≤ 1.20: ${spanRatio <= 1.2 ? 'met' : 'NOT met'})`);
			const { slope } = leastSquares(cpuRows.slice(first).map((y, i) => [(first + i + 0.5) * WINDOW, y] as const));
			const per100k = slope * 100_000;
			console.log(`  CPU trend through every window's median: ${per100k >= 0 ? '+' : ''}${fmt(per100k)} ms per 100,000 steps (${fmt((100 * per100k) / startCpu, 1)}% of the start)`);
		}

		const at = (c: Checkpoint | null) => `at ${c ? c.step : '—'}`.padStart(16);
		console.log(`\nmeasure                               ${at(start)} ${at(mid)} ${at(finish)} end/start   end/mid`);
		const line = (name: string, pick: (c: Checkpoint) => number, digits = 2) => {
			const [a, m, b] = [start, mid, finish].map((c) => (c ? pick(c) : NaN));
			console.log(`${name.padEnd(37)} ${fmt(a, digits).padStart(16)} ${fmt(m, digits).padStart(16)} ${fmt(b, digits).padStart(16)} ${fmt(b / a, 2).padStart(9)} ${fmt(b / m, 2).padStart(9)}`);
		};
		line('live loop detection µs/step (median)', (c) => c.detectionUs);
		line('loop detection entries held', (c) => c.detectionHeld, 0);
		line('run page load ms (with analysis)', (c) => c.pageMs);
		line('run stream read ms per update', (c) => c.streamReadMs);
		line('run stream live analysis ms', (c) => c.streamAnalysisMs);
		line('run page load CPU ms', (c) => c.pageCpuMs);
		line('run stream open to analysis CPU ms', (c) => c.streamCpuMs);
		line('feed card write ms', (c) => c.feedCardMs);
		line('feed doc KB', (c) => c.feedDocKb, 1);
		line('RSS MB', (c) => Number(c.rssMb), 0);
		line('heap used MB (no forced GC)', (c) => Number(c.heapMb), 0);
		line('heap after forced GC MB', (c) => c.retainedMb, 1);
		if (snapshots.length > 1) console.log(`heap snapshots: npx tsx scripts/bench/heap-diff.ts ${snapshots.join(' ')}`);
		console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
	} finally {
		await panic.close();
		await backend.drop();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
