import { describe, expect, it } from 'vitest';
import { TRANSIENT } from '../shared/atlas';
import { computeAtlas, type AtlasRunInput, type AtlasStepInput } from './compute';

const EMBEDDERS = { text: { id: 'test/vectors', threshold: 0.9 }, image: { id: 'test/pictures', threshold: 0.9 } };

/** A unit-ish vector pointing at axis `axis` of 8, nudged by `wobble` along the next axis. */
function toward(axis: number, wobble = 0): number[] {
	const v = new Array(8).fill(0);
	v[axis] = 1;
	v[(axis + 1) % 8] = wobble;
	return v;
}

/** Text outputs of one node: each `[hash, vector]` in order. */
function textRun(runId: string, prompt: string, outputs: Array<[string, number[]]>, startedAt = 0): AtlasRunInput {
	return {
		runId,
		prompt,
		startedAt,
		outputs: outputs.map(([hash, vector], i): AtlasStepInput => ({ seq: i + 1, nodeId: 'caption', output: { kind: 'text', text: hash }, exactHash: hash, vector }))
	};
}

describe('computeAtlas', () => {
	it('puts every run in one basin per modality, biggest first, with the prompts that end there', () => {
		const runs = [
			textRun('r1', 'apple', [['a1', toward(3)], ['x1', toward(0, 0.05)]]),
			textRun('r2', 'banana', [['b1', toward(4)], ['x2', toward(0, 0.1)]]),
			textRun('r3', 'cherry', [['c1', toward(5)], ['x1', toward(0, 0.05)]]),
			textRun('r4', 'damson', [['d1', toward(6)], ['y1', toward(1)]]),
			textRun('r5', 'elder', [['e1', toward(7)]])
		];
		const atlas = computeAtlas(runs, EMBEDDERS);
		expect(atlas.runs).toBe(5);
		const text = atlas.modalities.find((m) => m.kind === 'text')!;
		expect(text.attractors.map((a) => a.id)).toEqual(['T1', 'T2', 'T3']);
		expect(text.attractors.map((a) => a.basin)).toEqual([3, 1, 1]);
		expect(text.attractors.reduce((sum, a) => sum + a.basin, 0)).toBe(5);
		expect(text.attractors[0].prompts).toEqual([{ prompt: 'apple', runs: 1 }, { prompt: 'banana', runs: 1 }, { prompt: 'cherry', runs: 1 }]);
		// Its medoid is the end state two runs share; the other content follows.
		expect(text.attractors[0].examples.map((e) => e.text)).toEqual(['x1', 'x2']);
		expect(text.attractors[0].medianStepsToReach).toBe(2);
		expect(atlas.version.atlas).toBeGreaterThan(0);
		expect(text.embedder).toBe('test/vectors');
		expect(text.threshold).toBe(0.9);
	});

	it('finds the absorbing attractor, the transient ones passed through, and the dwell times', () => {
		const A = toward(0);
		const B = toward(2);
		const runs = [
			// Passes through B's neighbourhood for two steps, then falls into A for good.
			textRun('r1', 'one', [['s1', toward(5)], ['b1', B], ['b2', toward(2, 0.05)], ['a1', A], ['a1', A], ['a1', A]]),
			textRun('r2', 'two', [['s2', toward(6)], ['a2', toward(0, 0.05)], ['a1', A], ['a1', A]]),
			// Ends in B: B is an attractor, but r1 left it, so B does not absorb.
			textRun('r3', 'three', [['s3', toward(7)], ['b1', B]])
		];
		const text = computeAtlas(runs, EMBEDDERS).modalities[0];
		const ids = Object.fromEntries(text.attractors.map((a) => [a.examples[0].text, a.id]));
		const a = ids['a1'];
		const b = ids['b1'];
		expect(text.transitions.states).toEqual([...text.attractors.map((x) => x.id), TRANSIENT]);
		expect(text.transitions.absorbing).toEqual([a]);
		const at = (s: string) => text.transitions.states.indexOf(s);
		const counts = text.transitions.counts;
		expect(counts[at(b)][at(a)]).toBe(1);
		expect(counts[at(a)][at(a)]).toBe(2 + 2);
		expect(counts[at(TRANSIENT)][at(b)]).toBe(2);
		// Stays in A: 3 steps (r1) and 3 steps (r2); in B: 2 (r1) and 1 (r3); transient: 1 each.
		expect(text.transitions.dwell[at(a)]).toBe(3);
		expect(text.transitions.dwell[at(b)]).toBe(1.5);
		expect(text.transitions.dwell[at(TRANSIENT)]).toBe(1);
		const attractorA = text.attractors.find((x) => x.id === a)!;
		// r1 reached A at step 4, r2 at step 2.
		expect(attractorA.medianStepsToReach).toBe(3);
	});

	it('records the period the runs end in: a fixed point, a 2-cycle, or no exact repeat', () => {
		const runs = [
			textRun('fixed', 'p1', [['f0', toward(3)], ['f1', toward(0)], ['f1', toward(0)], ['f1', toward(0)]]),
			textRun('cycle', 'p2', [['c0', toward(4)], ['u', toward(1)], ['v', toward(1, 0.1)], ['u', toward(1)], ['v', toward(1, 0.1)]]),
			textRun('drift', 'p3', [['d0', toward(5)], ['d1', toward(6)], ['d2', toward(7)]])
		];
		const atlas = computeAtlas(runs, EMBEDDERS);
		const byRun = Object.fromEntries(atlas.runList.map((r) => [r.runId, r.ends[0]]));
		expect(byRun.fixed.period).toBe(1);
		expect(byRun.cycle.period).toBe(2);
		expect(byRun.drift.period).toBeNull();
		const text = atlas.modalities[0];
		const cycle = text.attractors.find((a) => a.runIds.includes('cycle'))!;
		expect(cycle.period).toBe(2);
		// The cycle's two outputs are one attractor (similar enough), reached when the cycle began.
		expect(byRun.cycle.reachedAt).toBe(2);
	});

	it('clusters each modality of a two-modality loop on its own', () => {
		const paint = (hash: string, v: number[], seq: number): AtlasStepInput => ({
			seq,
			nodeId: 'paint',
			output: { kind: 'image', asset: { sha256: hash.padEnd(64, '0'), mime: 'image/png', ext: 'png' } },
			exactHash: hash,
			vector: v
		});
		const run = (runId: string, prompt: string, picture: number): AtlasRunInput => ({
			runId,
			prompt,
			startedAt: 0,
			outputs: [
				paint(`p${picture}`, toward(picture), 1),
				{ seq: 2, nodeId: 'caption', output: { kind: 'text', text: `c${picture}` }, exactHash: `c${picture}`, vector: toward(picture) }
			]
		});
		const atlas = computeAtlas([run('r1', 'a', 1), run('r2', 'b', 1), run('r3', 'c', 2)], EMBEDDERS);
		expect(atlas.modalities.map((m) => m.kind)).toEqual(['text', 'image']);
		for (const m of atlas.modalities) expect(m.attractors.reduce((s, a) => s + a.basin, 0)).toBe(3);
		const image = atlas.modalities[1].attractors[0];
		expect(image.id).toBe('I1');
		expect(image.examples[0].url).toBe(`/assets/${'p1'.padEnd(64, '0')}.png`);
	});

	it('gives the same atlas whatever order the runs come in and whatever their ids and start times', () => {
		const make = (tag: string, order: number[]) => {
			const base = [
				['apple', [['a', toward(0, 0.3)], ['k', toward(1)], ['k', toward(1)]]],
				['apple', [['a', toward(0, 0.3)], ['m', toward(1, 0.4)]]],
				['berry', [['b', toward(2)], ['k2', toward(1, 0.2)]]],
				['cider', [['c', toward(3)], ['n', toward(1, 0.42)], ['n', toward(1, 0.42)]]],
				['dates', [['d', toward(4)], ['q', toward(5)]]]
			] as Array<[string, Array<[string, number[]]>]>;
			return order.map((i) => textRun(`${tag}-${i}`, base[i][0], base[i][1], order.indexOf(i) * 1000));
		};
		const strip = (atlas: ReturnType<typeof computeAtlas>) =>
			JSON.parse(JSON.stringify(atlas, (key, value) => (key === 'runId' ? undefined : key === 'runIds' ? value.length : value)));
		const first = computeAtlas(make('x', [0, 1, 2, 3, 4]), EMBEDDERS);
		const second = computeAtlas(make('y', [4, 2, 0, 3, 1]), EMBEDDERS);
		const third = computeAtlas(make('z', [3, 1, 4, 0, 2]), EMBEDDERS);
		expect(strip(second)).toEqual(strip(first));
		expect(strip(third)).toEqual(strip(first));
		expect(first.modalities[0].attractors.reduce((s, a) => s + a.basin, 0)).toBe(5);
	});
});
