import { assetUrl } from '../assets/names';
import type { StoredPayload } from '../db/schema';
import { detectLoops } from '../analysis/detect';
import type { Atlas, AtlasModality, AtlasOutput, AtlasRun, Attractor } from '../shared/atlas';
import type { Modality } from '../shared/platforms/types';
import { clusterEnds, type EndPoint } from './end-clusters';
import { finalStayStart, StateAssigner, transitions } from './paths';
import { ATLAS_CODE_VERSION } from './version';

/** A completed output of a run, in seq order, with its fingerprint. */
export interface AtlasStepInput {
	seq: number;
	nodeId: string;
	output: StoredPayload;
	exactHash: string;
	/** The modality's embedder's vector, or null when it could not read the output. */
	vector: readonly number[] | null;
}

export interface AtlasRunInput {
	runId: string;
	prompt: string;
	/** Only breaks ties between runs with the same prompt and the same end states. */
	startedAt: number;
	outputs: readonly AtlasStepInput[];
}

/** The embedder used for each modality and the similarity that joins its clusters. */
export type AtlasEmbedders = Partial<Record<Modality, { id: string; threshold: number }>>;

const KINDS: readonly Modality[] = ['text', 'image', 'audio'];
const PREFIX: Record<Modality, string> = { text: 'T', image: 'I', audio: 'A' };
const TEXT_CUT = 600;

interface PreparedStep {
	step: number;
	point: EndPoint;
	source: AtlasStepInput;
}

interface PreparedRun {
	input: AtlasRunInput;
	byKind: Map<Modality, PreparedStep[]>;
	/** Per modality, the period of its last output's node at the end (null: no exact repeat there). */
	periods: Map<Modality, number | null>;
}

/**
 * The atlas of a set of runs: per modality, the runs' last outputs clustered (attractors),
 * each run's path through them, and the transitions between them. Pure and deterministic: the
 * runs are put in a content order first (prompt, then end states, then start), thresholds are
 * fixed, nothing is random; equal runs give an equal atlas, in any input order.
 */
export function computeAtlas(runs: readonly AtlasRunInput[], embedders: AtlasEmbedders): Atlas {
	// Loops repeat themselves: each distinct output is normalised once.
	const units = new Map<string, Float64Array | null>();
	const unitOf = (step: AtlasStepInput) => {
		const key = `${step.output.kind}\n${step.exactHash}`;
		let found = units.get(key);
		if (found === undefined) units.set(key, (found = unit(step.vector)));
		return found;
	};
	const prepared = runs.map((run) => prepare(run, unitOf)).sort(compareRuns);
	const modalities: AtlasModality[] = [];
	const ends = new Map<PreparedRun, AtlasRun['ends']>(prepared.map((r) => [r, []]));
	const paths = new Map<PreparedRun, AtlasRun['paths']>(prepared.map((r) => [r, []]));

	for (const kind of KINDS) {
		const withKind = prepared.filter((r) => r.byKind.get(kind)?.length);
		const embedder = embedders[kind];
		if (!withKind.length || !embedder) continue;
		const endSteps = withKind.map((r) => r.byKind.get(kind)!.at(-1)!);
		const clusters = clusterEnds(
			endSteps.map((s) => s.point),
			embedder.threshold
		);
		const ids = clusters.map((_, i) => `${PREFIX[kind]}${i + 1}`);
		const attractorOf = new Map<number, string>();
		clusters.forEach((c, i) => c.members.forEach((m) => attractorOf.set(m, ids[i])));
		const assigner = new StateAssigner(
			endSteps.map((s, i) => ({ point: s.point, attractor: attractorOf.get(i)! })),
			embedder.threshold
		);

		const runPaths = withKind.map((run, r) => {
			const steps = run.byKind.get(kind)!;
			const states = steps.map((s, i) => (i === steps.length - 1 ? attractorOf.get(r)! : assigner.assign(s.point)));
			const attractor = attractorOf.get(r)!;
			const reachedAt = steps[finalStayStart(states, attractor)].step;
			ends.get(run)!.push({ kind, attractor, reachedAt, period: run.periods.get(kind) ?? null });
			paths.get(run)!.push({ kind, states });
			return states;
		});

		const attractors: Attractor[] = clusters.map((cluster, i) => {
			const members = cluster.members.map((m) => withKind[m]);
			const reach = members.map((run) => ends.get(run)!.find((e) => e.kind === kind)!.reachedAt);
			const periods = countPeriods(members.map((run) => run.periods.get(kind) ?? null));
			return {
				id: ids[i],
				examples: examples(cluster.members, cluster.medoid, endSteps, withKind),
				basin: members.length,
				prompts: countPrompts(members.map((run) => run.input.prompt)),
				runIds: members.map((run) => run.input.runId),
				medianStepsToReach: median(reach),
				period: periods[0].period,
				periods
			};
		});
		modalities.push({
			kind,
			embedder: embedder.id,
			threshold: embedder.threshold,
			runs: withKind.length,
			attractors,
			transitions: transitions(ids, runPaths)
		});
	}

	return {
		format: 'panic-atlas',
		version: { ...ATLAS_CODE_VERSION },
		runs: prepared.length,
		modalities,
		runList: prepared.map((run) => ({
			runId: run.input.runId,
			prompt: run.input.prompt,
			steps: run.input.outputs.length,
			ends: ends.get(run)!,
			paths: paths.get(run)!
		}))
	};
}

function prepare(input: AtlasRunInput, unitOf: (step: AtlasStepInput) => Float64Array | null): PreparedRun {
	const byKind = new Map<Modality, PreparedStep[]>();
	input.outputs.forEach((source, i) => {
		const kind = source.output.kind;
		const list = byKind.get(kind) ?? [];
		list.push({ step: i + 1, source, point: { exactHash: source.exactHash, vector: unitOf(source) } });
		byKind.set(kind, list);
	});
	// The loop detector the run page uses: a node's output equal to its own output p steps back.
	const detection = detectLoops(input.outputs.map((o) => ({ seq: o.seq, nodeId: o.nodeId, exactHash: o.exactHash })));
	const periods = new Map<Modality, number | null>();
	for (const [kind, steps] of byKind) {
		const last = steps.at(-1)!;
		const span = detection.cycles.find((c) => c.nodeId === last.source.nodeId && c.toStep === last.step);
		periods.set(kind, span?.period ?? null);
	}
	return { input, byKind, periods };
}

/** Prompt, then the end states' hashes (content), then start time, then id. */
function compareRuns(a: PreparedRun, b: PreparedRun): number {
	return (
		compareText(a.input.prompt, b.input.prompt) ||
		compareText(endSignature(a), endSignature(b)) ||
		a.input.startedAt - b.input.startedAt ||
		compareText(a.input.runId, b.input.runId)
	);
}

const endSignature = (run: PreparedRun) => KINDS.map((k) => run.byKind.get(k)?.at(-1)?.point.exactHash ?? '').join('|');
/** Code-unit order, not the locale's: the same on every machine. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function unit(vector: readonly number[] | null): Float64Array | null {
	if (!vector?.length) return null;
	let sum = 0;
	for (const v of vector) sum += v * v;
	if (sum === 0) return null;
	const norm = Math.sqrt(sum);
	return Float64Array.from(vector, (v) => v / norm);
}

/** The medoid's output, then up to two more with other content, in the atlas's order. */
function examples(members: number[], medoid: number, endSteps: PreparedStep[], runs: PreparedRun[]): AtlasOutput[] {
	const picked = [medoid];
	const seen = new Set([endSteps[medoid].point.exactHash]);
	for (const m of members) {
		if (picked.length >= 3) break;
		if (seen.has(endSteps[m].point.exactHash)) continue;
		seen.add(endSteps[m].point.exactHash);
		picked.push(m);
	}
	return picked.map((m) => atlasOutput(endSteps[m].source, runs[m].input.runId));
}

export function atlasOutput(source: AtlasStepInput, runId: string): AtlasOutput {
	const o = source.output;
	const base = { runId, seq: source.seq };
	if (o.kind === 'text') return { kind: 'text', text: o.text.length > TEXT_CUT ? `${o.text.slice(0, TEXT_CUT - 1)}…` : o.text, ...base };
	return { kind: o.kind, url: assetUrl(o.asset), ...base };
}

function countPrompts(prompts: string[]): Attractor['prompts'] {
	const counts = new Map<string, number>();
	for (const p of prompts) counts.set(p, (counts.get(p) ?? 0) + 1);
	return [...counts].sort((a, b) => compareText(a[0], b[0])).map(([prompt, runs]) => ({ prompt, runs }));
}

/** Most runs first; among equals a period before none, shorter before longer. */
function countPeriods(periods: Array<number | null>): Attractor['periods'] {
	const counts = new Map<number | null, number>();
	for (const p of periods) counts.set(p, (counts.get(p) ?? 0) + 1);
	const rank = (p: number | null) => (p === null ? Number.MAX_SAFE_INTEGER : p);
	return [...counts].sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0])).map(([period, runs]) => ({ period, runs }));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
