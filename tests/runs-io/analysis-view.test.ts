import { describe, expect, test } from 'vitest';
import { findingText, linear, matrixMin, rampColor, recurrencePixels, seriesPath, ticks, toAnalysis } from '../../src/lib/analysis/analysis';

// A hand-written RunAnalysis, as GET /api/runs/:id/analysis answers.
const fixture = {
	runId: 'r1',
	steps: 4,
	embedder: 'local',
	fixedPoint: { kind: 'fixed_point', period: 1, step: 4, seq: 4, nodeId: 'b', message: '' },
	converging: null,
	drift: [
		{ seq: 2, step: 2, nodeId: 'b', kind: 'text', toInput: 0.5, toPrevious: null },
		{ seq: 1, step: 1, nodeId: 'a', kind: 'image', toInput: null, toPrevious: null },
		{ seq: 4, step: 4, nodeId: 'b', kind: 'text', toInput: 0.7, toPrevious: 1 },
		{ seq: 3, step: 3, nodeId: 'a', kind: 'image', toInput: null, toPrevious: 0.9 }
	],
	recurrence: { seqs: [1, 2, 3, 4], matrix: [[1, null, 0.9, null], [null, 1, null, 0.8], [0.9, null, 1, null], [null, 0.8, null, 'x']] },
	cycles: [{ nodeId: 'b', period: 1, fromStep: 2, toStep: 4 }],
	clusters: [{ id: 0, size: 2, representativeSeq: 2, seqs: [2, 4], kind: 'text' }]
};

describe('analysis view helpers', () => {
	test('normalises the analysis, sorting drift by step and keeping the matrix square', () => {
		const a = toAnalysis(fixture);
		expect(a.drift.map((d) => d.seq)).toEqual([1, 2, 3, 4]);
		expect(a.recurrence.matrix[3]).toEqual([null, 0.8, null, null]);
		expect(findingText(a.fixedPoint!)).toBe('Fixed point of period 1 reached at step 4 (node b).');
		expect(toAnalysis(null)).toMatchObject({ drift: [], fixedPoint: null, recurrence: { seqs: [], matrix: [] } });
	});

	test('scales, ticks and series paths', () => {
		const x = linear(1, 4, 0, 300);
		expect(x(1)).toBe(0);
		expect(x(4)).toBe(300);
		expect(ticks(0, 1, 4)).toEqual([0, 0.5, 1]);
		expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
		expect(ticks(1, 100, 8)).toEqual([20, 40, 60, 80, 100]);
		const y = linear(0, 1, 100, 0);
		const a = toAnalysis(fixture);
		expect(seriesPath(a.drift, 'toInput', x, y)).toBe('M100.0,50.0L300.0,30.0');
		expect(seriesPath(a.drift, 'toPrevious', x, y)).toBe('M200.0,10.0L300.0,0.0');
	});

	test('heatmap pixels: one RGBA per cell, nulls transparent, the ramp from dark to yellow', () => {
		const a = toAnalysis(fixture);
		const px = recurrencePixels(a.recurrence.matrix, matrixMin(a.recurrence.matrix));
		expect(px).toHaveLength(4 * 4 * 4);
		expect([...px.slice(0, 4)]).toEqual([...rampColor(1), 255]);
		expect(px[4 * 1 + 3]).toBe(0);
		expect(rampColor(0)).toEqual([68, 1, 84]);
		expect(rampColor(1)).toEqual([253, 231, 37]);
	});
});
