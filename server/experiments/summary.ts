import { csvRecord } from '../csv';
import type { RunAnalysis } from './analysis';

/** One run of an experiment, as results.json records it. */
export interface RunResult {
	/** `file`: the network file the CLI imported it from (absent for a network run from the browser). */
	network: { id: string; name: string; file?: string };
	prompt: string;
	/** 1-based: the n-th run of this network × prompt. */
	run: number;
	runId: string;
	/** Run status and stop cause as the database records them (`stopped`/`budget` is a full run). */
	status: string;
	stopCause: string | null;
	error: string | null;
	/** Completed invocations. */
	steps: number;
	durationMs: number;
	fixedPoint: RunAnalysis['fixedPoint'];
	converging: RunAnalysis['converging'];
	/** See `finalDrift`. Null when no output could be compared with the input. */
	finalDrift: { seq: number; step: number; nodeId: string; similarity: number; drift: number } | null;
	cycles: RunAnalysis['cycles'];
	clusters: { count: number; sizes: number[]; representativeSeqs: number[] };
	embedder: string | null;
	/** Set when the run finished but analysing it failed; the run is still in the database. */
	analysisError?: string;
}

/** One line of the summary: every run of one network with one prompt. */
export interface SummaryRow {
	network: string;
	networkId: string;
	prompt: string;
	runs: number;
	/** Runs in which the analysis found a fixed point or a cycle. */
	reachedFixedPoint: number;
	/** Median step at which those runs reached it; null when none did. */
	medianStepsToFixedPoint: number | null;
	/** Distinct periods of those fixed points (1 = a fixed point, n = an n-cycle), ascending. */
	periods: number[];
	/** Mean final drift over the runs that have one; null when none has. */
	meanFinalDrift: number | null;
	runIds: string[];
}

/**
 * A run's final drift: how far the last output that can be compared with the initial input
 * ended from it, as 1 − cosine similarity (`1 - drift[].toInput` of the drift point with the
 * highest seq whose `toInput` is not null; in a loop through several modalities, text →
 * image → text, that is the last output of the input's modality). 0 means the loop ended
 * where it began; 1 means nothing in common is left.
 */
export function finalDrift(drift: RunAnalysis['drift']): RunResult['finalDrift'] {
	let last: RunAnalysis['drift'][number] | null = null;
	for (const point of drift) {
		if (point.toInput === null) continue;
		if (!last || point.seq > last.seq) last = point;
	}
	return last ? { seq: last.seq, step: last.step, nodeId: last.nodeId, similarity: last.toInput!, drift: 1 - last.toInput! } : null;
}

export function median(values: number[]): number | null {
	if (!values.length) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: number[]): number | null {
	return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** The summary rows, one per network × prompt, in the order the runs came. */
export function summarise(results: RunResult[]): SummaryRow[] {
	const groups = new Map<string, RunResult[]>();
	for (const result of results) {
		const key = JSON.stringify([result.network.id, result.prompt]);
		groups.set(key, [...(groups.get(key) ?? []), result]);
	}
	return [...groups.values()].map((runs) => {
		const reached = runs.flatMap((r) => (r.fixedPoint ? [r.fixedPoint] : []));
		const drifts = runs.flatMap((r) => (r.finalDrift ? [r.finalDrift.drift] : []));
		return {
			network: runs[0].network.name,
			networkId: runs[0].network.id,
			prompt: runs[0].prompt,
			runs: runs.length,
			reachedFixedPoint: reached.length,
			medianStepsToFixedPoint: median(reached.map((f) => f.step)),
			periods: [...new Set(reached.map((f) => f.period))].sort((a, b) => a - b),
			meanFinalDrift: mean(drifts),
			runIds: runs.map((r) => r.runId)
		};
	});
}

export const SUMMARY_COLUMNS = ['network', 'prompt', 'runs', 'fixed point', 'median steps', 'periods', 'final drift', 'run ids'] as const;

/** A row's cells as the table and the CSV show them (numbers rounded for people). */
function cells(row: SummaryRow): string[] {
	return [
		row.network,
		row.prompt,
		String(row.runs),
		`${row.reachedFixedPoint}/${row.runs}`,
		row.medianStepsToFixedPoint === null ? '-' : formatNumber(row.medianStepsToFixedPoint),
		row.periods.length ? row.periods.join(',') : '-',
		row.meanFinalDrift === null ? '-' : row.meanFinalDrift.toFixed(3),
		row.runIds.join(' ')
	];
}

const formatNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The summary as a plain-text table: a header, a rule, one line per row. */
export function formatTable(rows: SummaryRow[], maxPrompt = 32): string {
	const body = rows.map((row) => {
		const c = cells(row);
		c[1] = c[1].length > maxPrompt ? `${c[1].slice(0, maxPrompt - 1)}…` : c[1];
		return c;
	});
	const header = [...SUMMARY_COLUMNS];
	const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
	// Numbers right-aligned, words left-aligned; the last column is not padded (no trailing blanks).
	const numeric = new Set([2, 3, 4, 5, 6]);
	const line = (r: string[]) =>
		r
			.map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
			.join('  ');
	return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const CSV_COLUMNS = [
	'network',
	'network_id',
	'prompt',
	'runs',
	'fixed_point_runs',
	'median_steps_to_fixed_point',
	'periods',
	'mean_final_drift',
	'run_ids'
] as const;

/** The summary as CSV, prompts and names defused like every CSV PANIC writes (../csv). */
export function toCsv(rows: SummaryRow[]): string {
	const records = rows.map((row) =>
		csvRecord([
			row.network,
			row.networkId,
			row.prompt,
			row.runs,
			row.reachedFixedPoint,
			row.medianStepsToFixedPoint,
			row.periods.join(' '),
			row.meanFinalDrift,
			row.runIds.join(' ')
		])
	);
	return [csvRecord(CSV_COLUMNS), ...records].join('');
}
