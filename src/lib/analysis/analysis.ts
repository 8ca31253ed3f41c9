/**
 * The run analysis (`GET /api/runs/:id/analysis`, typed in $shared/analysis) normalised in one
 * place so the charts draw plain fields and survive a missing or malformed part, plus the small pure
 * helpers the charts share (scales, ticks, the heatmap's colour ramp).
 */
import type { AnalysisFinding, DriftPoint, RunAnalysis } from '$shared/analysis';
import type { Modality } from '$shared/platforms/types';
import type { Output } from '$lib/feed/run-detail';

/** What a page shows of a run's analysis: the analysis and the outputs of its cluster representatives, or why there is none. */
export type AnalysisResult = { ok: true; analysis: RunAnalysis; outputs: Record<number, Output | null> } | { ok: false; error: string };

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const int = (v: unknown, fallback = 0) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : fallback);
const sim = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown) => (typeof v === 'string' ? v : '');
const kindOf = (v: unknown): Modality => (v === 'image' || v === 'audio' ? v : 'text');

export function toAnalysis(body: unknown): RunAnalysis {
	const b = obj(body) ?? {};
	const fp = obj(b.fixedPoint);
	const conv = obj(b.converging);
	const rec = obj(b.recurrence) ?? {};
	const seqs = arr(rec.seqs).map((s) => int(s));
	return {
		runId: text(b.runId),
		steps: int(b.steps),
		// Older exports and servers analysed every step.
		fromStep: Math.max(1, int(b.fromStep, 1)),
		embedder: text(b.embedder),
		fixedPoint: fp
			? {
					kind: fp.kind === 'cycle' ? 'cycle' : 'fixed_point',
					period: int(fp.period, 1),
					step: int(fp.step),
					seq: int(fp.seq),
					nodeId: text(fp.nodeId),
					message: text(fp.message)
				}
			: null,
		converging: conv ? { sinceStep: int(conv.sinceStep), nodeId: text(conv.nodeId), message: text(conv.message) } : null,
		drift: arr(b.drift)
			.map(obj)
			.filter((d): d is Raw => d !== null)
			.map((d) => ({ seq: int(d.seq), step: int(d.step), nodeId: text(d.nodeId), kind: kindOf(d.kind), toInput: sim(d.toInput), toPrevious: sim(d.toPrevious) }))
			.sort((x, y) => x.step - y.step || x.seq - y.seq),
		recurrence: {
			seqs,
			// Square, as long as seqs; anything else reads as "no value".
			matrix: seqs.map((_, i) => {
				const row = arr(arr(rec.matrix)[i]);
				return seqs.map((_, j) => sim(row[j]));
			})
		},
		cycles: arr(b.cycles)
			.map(obj)
			.filter((c): c is Raw => c !== null)
			.map((c) => ({ nodeId: text(c.nodeId), period: int(c.period, 1), fromStep: int(c.fromStep), toStep: int(c.toStep) })),
		clusters: arr(b.clusters)
			.map(obj)
			.filter((c): c is Raw => c !== null)
			.map((c) => ({ id: int(c.id), size: int(c.size), representativeSeq: int(c.representativeSeq), seqs: arr(c.seqs).map((s) => int(s)), kind: kindOf(c.kind) }))
	};
}

/** The finding in words: the server's message, or one made from the fields. */
export function findingText(f: AnalysisFinding): string {
	if (f.message) return f.message;
	return f.kind === 'cycle'
		? `Cycle of period ${f.period} reached at step ${f.step} (node ${f.nodeId}).`
		: `Fixed point of period ${f.period} reached at step ${f.step} (node ${f.nodeId}).`;
}

/** A linear map from [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
	const span = d1 - d0 || 1;
	return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Round tick values over [lo, hi]: about `count` of them at 1, 2 or 5 × 10^n. */
export function ticks(lo: number, hi: number, count = 5): number[] {
	if (!(hi > lo)) return [lo];
	const raw = (hi - lo) / Math.max(1, count);
	const mag = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
	const out: number[] = [];
	for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
	return out;
}

/**
 * The drift chart's two series as SVG path data: per step, the mean of that step's values. Steps are unique per output in the analysis, so the mean
 * is the value itself unless a future analysis groups them.
 */
export function seriesPath(points: DriftPoint[], key: 'toInput' | 'toPrevious', x: (v: number) => number, y: (v: number) => number): string {
	const byStep = new Map<number, number[]>();
	for (const p of points) {
		const v = p[key];
		if (v === null) continue;
		const list = byStep.get(p.step);
		if (list) list.push(v);
		else byStep.set(p.step, [v]);
	}
	const steps = [...byStep.keys()].sort((a, b) => a - b);
	// Steps without a value (another modality, no fingerprint) are bridged: in a text ↔ image
	// loop each series has a value every other step.
	let d = '';
	for (const step of steps) {
		const values = byStep.get(step)!;
		const mean = values.reduce((s, v) => s + v, 0) / values.length;
		d += `${d ? 'L' : 'M'}${x(step).toFixed(1)},${y(mean).toFixed(1)}`;
	}
	return d;
}

// Viridis at 9 stops: perceptually even, readable in grey, and colour-blind safe.
const RAMP: Array<[number, number, number]> = [
	[68, 1, 84],
	[71, 44, 122],
	[59, 81, 139],
	[44, 113, 142],
	[33, 144, 141],
	[39, 173, 129],
	[92, 200, 99],
	[170, 220, 50],
	[253, 231, 37]
];

/** Similarity in [lo, 1] to an RGB colour on the ramp (low dark purple, high yellow). */
export function rampColor(value: number, lo = 0): [number, number, number] {
	const t = Math.min(1, Math.max(0, (value - lo) / (1 - lo || 1))) * (RAMP.length - 1);
	const i = Math.min(RAMP.length - 2, Math.floor(t));
	const f = t - i;
	const [a, b] = [RAMP[i], RAMP[i + 1]];
	return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** The recurrence matrix as RGBA pixels, one per cell (null cells transparent). */
export function recurrencePixels(matrix: Array<Array<number | null>>, lo = 0): Uint8ClampedArray {
	const n = matrix.length;
	const data = new Uint8ClampedArray(n * n * 4);
	for (let i = 0; i < n; i++) {
		const row = matrix[i];
		for (let j = 0; j < n; j++) {
			const v = row[j];
			if (v === null || v === undefined) continue;
			const [r, g, b] = rampColor(v, lo);
			const at = (i * n + j) * 4;
			data[at] = r;
			data[at + 1] = g;
			data[at + 2] = b;
			data[at + 3] = 255;
		}
	}
	return data;
}

/** The lowest value in the matrix, floored at 0 unless similarities go negative. */
export function matrixMin(matrix: Array<Array<number | null>>): number {
	let lo = 0;
	for (const row of matrix) for (const v of row) if (v !== null && v < lo) lo = v;
	return Math.max(-1, lo);
}
