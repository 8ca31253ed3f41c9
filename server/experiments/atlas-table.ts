import type { Panic } from '../app';
import type { Atlas } from '../shared/atlas';
import type { RunResult } from './summary';

/** One network's atlas in results.json: the experiment's runs on it. */
export interface ExperimentAtlas {
	network: { id: string; name: string };
	atlas: Atlas;
}

/**
 * The atlas of each network's runs in the experiment, as the network's atlas page computes it
 * (the same service, so the CLI and the browser print the same attractors). A network whose
 * atlas cannot be computed is reported and left out: the runs are data either way.
 */
export async function experimentAtlases(panic: Panic, results: readonly RunResult[], warn: (line: string) => void): Promise<ExperimentAtlas[]> {
	const byNetwork = new Map<string, { name: string; runIds: string[] }>();
	for (const r of results) {
		const entry = byNetwork.get(r.network.id) ?? { name: r.network.name, runIds: [] };
		entry.runIds.push(r.runId);
		byNetwork.set(r.network.id, entry);
	}
	const atlases: ExperimentAtlas[] = [];
	for (const [id, { name, runIds }] of byNetwork) {
		try {
			atlases.push({ network: { id, name }, atlas: await panic.atlas.forRuns(id, runIds) });
		} catch (error) {
			warn(`panic experiment: no atlas for ${name}: ${(error as Error).message}`);
		}
	}
	return atlases;
}

export const ATLAS_COLUMNS = ['attractor', 'basin', 'median steps', 'period', 'prompts'] as const;

/**
 * An atlas as a plain-text table, one line per attractor: its id (T1 the biggest text basin,
 * I1 image…), how many runs end there, the median step from which they stay, its period, and
 * which prompts end there. The same figures the atlas page shows.
 */
export function formatAtlasTable(atlas: Atlas, maxPrompts = 60): string {
	const periodWords = (p: number | null) => (p === null ? 'none' : p === 1 ? 'fixed point' : `${p}-cycle`);
	const body = atlas.modalities.flatMap((m) =>
		m.attractors.map((a) => [
			a.id,
			`${a.basin}/${m.runs}`,
			Number.isInteger(a.medianStepsToReach) ? String(a.medianStepsToReach) : a.medianStepsToReach.toFixed(1),
			periodWords(a.period),
			promptList(a.prompts, maxPrompts)
		])
	);
	const widths = ATLAS_COLUMNS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
	const numeric = new Set([1, 2]);
	const line = (r: readonly string[]) =>
		r.map((cell, i) => (i === r.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
	const meta = atlas.modalities.map((m) => `${m.kind}: ${m.embedder} ≥ ${m.threshold}`).join(', ');
	return [
		`Attractors of ${atlas.runs} run(s) (${meta}; atlas v${atlas.version.atlas}, PANIC ${atlas.version.panic})`,
		line(ATLAS_COLUMNS),
		widths.map((w) => '-'.repeat(w)).join('  '),
		...body.map(line)
	].join('\n');
}

function promptList(prompts: Atlas['modalities'][number]['attractors'][number]['prompts'], max: number): string {
	let out = '';
	for (const [i, p] of prompts.entries()) {
		const item = `${p.prompt}${p.runs > 1 ? ` ×${p.runs}` : ''}`;
		const next = out ? `${out}; ${item}` : item;
		if (next.length > max && out) return `${out}; +${prompts.length - i} more`;
		out = next.length > max ? `${next.slice(0, max - 1)}…` : next;
	}
	return out;
}
