import { describe, expect, it } from 'vitest';
import { detectLoops, LoopDetector, MAX_CYCLE_SPANS, MAX_PERIOD, maxPeriodFor, RUN_WINDOW, type ObservedOutput } from './detect';
import { LoopWatcher } from './loop-watcher';

/** One node's outputs as letters (each letter a hash), seqs 1.. in order. */
const chain = (letters: string, nodeId = 'a'): ObservedOutput[] => [...letters].map((h, i) => ({ seq: i + 1, nodeId, exactHash: h }));

/** Two nodes alternating (a loop a → b → a), outputs given per node. */
function alternate(a: string, b: string): ObservedOutput[] {
	const out: ObservedOutput[] = [];
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		if (a[i]) out.push({ seq: out.length + 1, nodeId: 'a', exactHash: `a${a[i]}` });
		if (b[i]) out.push({ seq: out.length + 1, nodeId: 'b', exactHash: `b${b[i]}` });
	}
	return out;
}

describe('exact repeats', () => {
	it('finds a fixed point of period 1 at the step it happens', () => {
		const d = detectLoops(chain('xyzz'));
		expect(d.fixedPoint).toEqual({ kind: 'fixed_point', period: 1, step: 4, seq: 4, nodeId: 'a', message: 'Fixed point of period 1 reached at step 4' });
		expect(d.cycles).toEqual([{ nodeId: 'a', period: 1, fromStep: 3, toStep: 4 }]);
	});

	it('finds cycles of period 2 and 3, and extends them while they last', () => {
		expect(detectLoops(chain('qxyxyxy')).fixedPoint).toMatchObject({ kind: 'cycle', period: 2, step: 4, message: 'Cycle of period 2 reached at step 4' });
		expect(detectLoops(chain('qxyxyxy')).cycles).toEqual([{ nodeId: 'a', period: 2, fromStep: 2, toStep: 7 }]);
		const three = detectLoops(chain('pxyzxyzx'));
		expect(three.fixedPoint).toMatchObject({ kind: 'cycle', period: 3, step: 5, seq: 5 });
		expect(three.cycles).toEqual([{ nodeId: 'a', period: 3, fromStep: 2, toStep: 8 }]);
	});

	it('reports a late repeat with the distance in the node’s own steps, and nothing without repeats', () => {
		expect(detectLoops(chain('abcdefga')).fixedPoint).toMatchObject({ kind: 'cycle', period: 7, step: 8 });
		expect(detectLoops(chain('abcdefg')).fixedPoint).toBeNull();
		expect(detectLoops([]).fixedPoint).toBeNull();
	});

	it('counts periods per node in a loop, and steps over the whole run', () => {
		// a: 1 2 3 3 ; b: 1 2 3 4 → a repeats at its 4th step, the run's 7th.
		const d = detectLoops(alternate('1233', '1234'));
		expect(d.fixedPoint).toMatchObject({ kind: 'fixed_point', period: 1, step: 7, nodeId: 'a', seq: 7 });
		// Both nodes settle into a 2-cycle of their own.
		const cycle = detectLoops(alternate('12121', '34343'));
		expect(cycle.fixedPoint).toMatchObject({ kind: 'cycle', period: 2, step: 5, nodeId: 'a' });
		expect(cycle.cycles.map((c) => [c.nodeId, c.period])).toEqual([
			['a', 2],
			['b', 2]
		]);
	});

	it('keeps the first repeat sticky and tracks fan-out interleavings per node', () => {
		// a fans out to b and c; their outputs interleave; c repeats first, then b.
		const outputs: ObservedOutput[] = [
			{ seq: 1, nodeId: 'a', exactHash: 'A' },
			{ seq: 2, nodeId: 'b', exactHash: 'B1' },
			{ seq: 3, nodeId: 'c', exactHash: 'C1' },
			{ seq: 4, nodeId: 'c', exactHash: 'C1' },
			{ seq: 5, nodeId: 'b', exactHash: 'B2' },
			{ seq: 6, nodeId: 'b', exactHash: 'B1' }
		];
		const d = detectLoops(outputs);
		expect(d.fixedPoint).toMatchObject({ kind: 'fixed_point', period: 1, step: 4, nodeId: 'c' });
		expect(d.cycles).toEqual([
			{ nodeId: 'c', period: 1, fromStep: 3, toStep: 4 },
			{ nodeId: 'b', period: 2, fromStep: 2, toStep: 6 }
		]);
		// The same hash on another node is no repeat.
		expect(detectLoops([{ seq: 1, nodeId: 'a', exactHash: 'h' }, { seq: 2, nodeId: 'b', exactHash: 'h' }]).fixedPoint).toBeNull();
	});

	it('gives the same answer incrementally as folded', () => {
		const outputs = alternate('1232323', '4565656');
		const detector = new LoopDetector();
		const firsts = outputs.map((o) => detector.observe(o).firstRepeat).filter(Boolean);
		expect(firsts).toHaveLength(1);
		expect(firsts[0]).toEqual(detectLoops(outputs).fixedPoint);
	});
});

describe('near repeats', () => {
	const v = (x: number) => [Math.cos(x), Math.sin(x)];

	it('converges after 3 near repeats in a row, from the first of them, and lets go when they stop', () => {
		const angles = [0, 1.5, 1.55, 1.6, 1.62, 3];
		const outputs = angles.map((x, i) => ({ seq: i + 1, nodeId: 'a', exactHash: `h${i}`, vector: v(x) }));
		const detector = new LoopDetector({ threshold: 0.99 });
		const seen = outputs.map((o) => {
			const obs = detector.observe(o);
			return { changed: obs.convergenceChanged, converging: detector.convergence?.sinceStep ?? null };
		});
		expect(seen.map((s) => s.converging)).toEqual([null, null, null, null, 3, null]);
		expect(seen.map((s) => s.changed)).toEqual([false, false, false, false, true, true]);
		const d = detectLoops(outputs.slice(0, 5), { threshold: 0.99 });
		expect(d.converging).toMatchObject({ sinceStep: 3, nodeId: 'a', message: 'Converging since step 3' });
		expect(d.toPrevious[0]).toBeNull();
		expect(d.toPrevious[2]).toBeCloseTo(Math.cos(0.05), 6);
	});

	it('counts an exact repeat as a near repeat even without vectors, and honours a per-output threshold', () => {
		const d = detectLoops(chain('xyyyy'), { streak: 3 });
		expect(d.converging).toMatchObject({ sinceStep: 3 });
		const loose = [0, 0.3, 0.6, 0.9].map((x, i) => ({ seq: i + 1, nodeId: 'a', exactHash: `${i}`, vector: v(x), threshold: 0.9 }));
		expect(detectLoops(loose, { threshold: 0.999 }).converging).toMatchObject({ sinceStep: 2 });
	});
});

describe('bounds (issue 18: a run of 100,000 steps holds what one of 1,000 does)', () => {
	const distinct = (n: number, nodes = ['a', 'b', 'c']): ObservedOutput[] =>
		Array.from({ length: n }, (_, i) => ({ seq: i + 1, nodeId: nodes[i % nodes.length], exactHash: `h${i}` }));

	it('remembers at most MAX_PERIOD hashes per node after 50,000 never-repeating outputs', () => {
		const detector = new LoopDetector();
		for (const output of distinct(50_000)) detector.observe(output);
		// Per node: a map and two rings of at most MAX_PERIOD entries each.
		expect(detector.remembered).toBeLessThanOrEqual(3 * 3 * MAX_PERIOD);
		expect(detector.step).toBe(50_000);
		expect(detector.fixedPoint).toBeNull();
	});

	it('still finds a repeat within the window after a long stretch, and none beyond it', () => {
		const detector = new LoopDetector({ maxPeriod: 100 });
		for (let i = 0; i < 1000; i++) detector.observe({ seq: i + 1, nodeId: 'a', exactHash: `h${i}` });
		expect(detector.remembered).toBeLessThanOrEqual(300);
		// h899 was the node's own step 100 before the next: a cycle of period 100 is found...
		expect(detector.observe({ seq: 1001, nodeId: 'a', exactHash: 'h900' }).period).toBe(100);
		// ...and h0, 1,001 own steps back, has left the window.
		expect(detector.observe({ seq: 1002, nodeId: 'a', exactHash: 'h0' }).period).toBeUndefined();
		expect(detector.fixedPoint).toMatchObject({ kind: 'cycle', period: 100, step: 1001 });
	});

	it('keeps cycle spans to the newest MAX_CYCLE_SPANS when a run keeps falling in and out of cycles', () => {
		const detector = new LoopDetector();
		// x x y y z z ...: each new letter repeats once (a period-1 span), then a new one breaks it.
		for (let i = 0; i < 3 * MAX_CYCLE_SPANS; i++) {
			detector.observe({ seq: 2 * i + 1, nodeId: 'a', exactHash: `h${i}` });
			detector.observe({ seq: 2 * i + 2, nodeId: 'a', exactHash: `h${i}` });
		}
		const cycles = detector.cycles;
		expect(cycles).toHaveLength(MAX_CYCLE_SPANS);
		expect(cycles.at(-1)).toEqual({ nodeId: 'a', period: 1, fromStep: 6 * MAX_CYCLE_SPANS - 1, toStep: 6 * MAX_CYCLE_SPANS });
		expect(detector.remembered).toBeLessThan(2 * MAX_CYCLE_SPANS + 3 * MAX_PERIOD);
	});

	it('numbers steps from firstStep when given the tail of a run', () => {
		const d = detectLoops(chain('xyy'), { firstStep: 98 });
		expect(d.steps).toBe(100);
		expect(d.fixedPoint).toMatchObject({ step: 100, period: 1 });
	});
});

describe('the live watcher (issue 18)', () => {
	it('holds a bounded number of entries after 50,000 never-repeating outputs of a 3-node loop', () => {
		const watcher = new LoopWatcher([], { nodes: 3 });
		const held: number[] = [];
		for (let i = 0; i < 50_000; i++) {
			watcher.observe(i + 1, `n${i % 3}`, { exactHash: `h${i}`, embedder: 'local/text-ngrams', vector: null, threshold: 0.9 });
			if ((i + 1) % 10_000 === 0) held.push(watcher.remembered);
		}
		// Flat once every node's window is full (3 nodes × 1,000 own steps = step 3,000).
		expect(held[0]).toBe(held[4]);
		expect(held[4]).toBeLessThanOrEqual(3 * 3 * MAX_PERIOD);
		expect(watcher.analysis).toBeNull();
	});

	it('holds about RUN_WINDOW steps in all for a graph of 500 nodes, not MAX_PERIOD per node', () => {
		const nodes = 500;
		const watcher = new LoopWatcher([], { nodes });
		const fingerprint = (hash: string) => ({ exactHash: hash, embedder: 'local/text-ngrams', vector: null, threshold: 0.9 });
		// 400 own steps per node: under MAX_PERIOD, so a per-node bound alone would keep all 200,000.
		for (let i = 0; i < 200_000; i++) watcher.observe(i + 1, `n${i % nodes}`, fingerprint(`h${i}`));
		// A map and two rings per node, each at most the node's share of the run's window.
		expect(maxPeriodFor(nodes)).toBe(RUN_WINDOW / nodes);
		expect(watcher.remembered).toBeLessThanOrEqual(3 * RUN_WINDOW);
		// A cycle within a node's share is still found: n0 repeats its output of 12 own steps back.
		const { observation } = watcher.observe(200_001, 'n0', fingerprint(`h${200_000 - 12 * nodes}`));
		expect(observation.period).toBe(12);
	});
});
