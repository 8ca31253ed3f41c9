import type { AssetStore } from '../assets/store';
import type { Db } from '../db/connect';
import type { StoredPayload } from '../db/schema';
import { loadPayload } from '../engine/payloads';
import type { RunReader } from '../engine/run-reader';
import type { Networks } from '../networks/networks';
import { notFound } from '../errors';
import type { Catalogue } from '../platforms/catalogue';
import type { PlatformRegistry } from '../platforms/platform';
import type { RunAnalysis } from '../shared/analysis';
import type { Modality, PlatformId } from '../shared/platforms/types';
import { clusterOutputs, type ClusterPoint } from './clusters';
import { detectLoops, type ObservedOutput } from './detect';
import { resolveEmbedder, type ResolvedEmbedder } from './embed';
import { embedderFor, nearRepeatThreshold } from './embedders/index';
import { storedExactHash } from './exact-hash';
import { loadFingerprints, saveFingerprints } from './fingerprints';
import { cosine } from './vector';

// The result type is shared with the run page, which charts it.
export type { RunAnalysis };

export interface AnalysisDeps {
	/** For the fingerprint cache (output_fingerprints). */
	db: Db;
	/** The run and its completed outputs. */
	runs: Pick<RunReader, 'get' | 'completedOutputs'>;
	/** Whose keys a hosted embedder spends: the network owner's. */
	networks: Pick<Networks, 'find'>;
	assets: AssetStore;
	/** For hosted embedders: the platforms and the owner's keys. */
	platforms?: PlatformRegistry;
	revealKey?: (userId: string, platform: PlatformId) => Promise<string | null>;
	catalogue?: Catalogue;
}

export interface AnalysisOptions {
	/** An embedder id (local or hosted) for its modality; the others use the local defaults. */
	embedder?: string;
	/** Most outputs in the recurrence matrix (default 400; evenly downsampled beyond). */
	maxPoints?: number;
	/** Newest completed outputs analysed at most (default `ANALYSIS_WINDOW`). */
	window?: number;
}

export const DEFAULT_MAX_POINTS = 400;
/**
 * The bound of a run's analysis (issue 18): its newest 2,000 completed outputs. A run page
 * opened at step 100,000, and its live stream recomputing while the run goes, cost what they
 * cost at step 2,000 (about half a second of text outputs on a busy 2-core machine); the page
 * says when a run is longer than the window.
 */
export const ANALYSIS_WINDOW = 2_000;
/** Hosted embedders are called this many at a time. */
const EMBED_CONCURRENCY = 4;

interface Output {
	id: string;
	seq: number;
	nodeId: string;
	payload: StoredPayload;
	exactHash: string;
	vector: number[] | null;
}

/**
 * Analyses a run's completed outputs in seq order: the first exact repeat and the
 * convergence (the same detector the engine runs live), drift from the input and from each
 * node's previous output, a recurrence matrix, exact cycles, and clusters. Fingerprints come
 * from `output_fingerprints` when cached, else are computed (assets read from the store)
 * and cached. Unknown embedder, or a hosted one whose key the owner lacks: 400.
 */
export async function analyzeRun(deps: AnalysisDeps, runId: string, options: AnalysisOptions = {}): Promise<RunAnalysis> {
	const run = await deps.runs.get(runId);
	if (!run) throw notFound('No such run.');
	const window = Math.max(1, options.window ?? ANALYSIS_WINDOW);
	// Fetched whole when the run's counter says it fits (the common case), else only the window.
	const rows = await deps.runs.completedOutputs(runId, run.completedSteps > window ? window : undefined);
	const windowed = rows.length < run.completedSteps;
	// Steps that landed between the two reads make this a step or two early on a running run.
	const fromStep = windowed ? run.completedSteps - rows.length + 1 : 1;
	const outputs: Output[] = rows.map((r) => ({
		id: r.id,
		seq: r.seq,
		nodeId: r.nodeId,
		payload: r.output,
		exactHash: r.exactHash ?? storedExactHash(r.output),
		vector: null
	}));

	// One embedder per modality: the requested one for its own, local defaults for the rest.
	const requested = options.embedder
		? await resolveEmbedder(options.embedder, {
				platforms: deps.platforms,
				revealKey: deps.revealKey,
				ownerId: (await deps.networks.find(run.networkId))?.ownerId,
				embedders: deps.catalogue?.embedders
			})
		: null;
	const embedders = new Map<Modality, ResolvedEmbedder>();
	const embedderOf = async (kind: Modality) => {
		let found = embedders.get(kind);
		if (!found) {
			found = requested?.input === kind ? requested : await resolveEmbedder(embedderFor(kind).id, {});
			embedders.set(kind, found);
		}
		return found;
	};
	for (const kind of ['text', 'image', 'audio'] as const) {
		const group = outputs.filter((o) => o.payload.kind === kind);
		if (group.length) await fingerprint(deps, group, await embedderOf(kind));
	}
	const input = run.input;
	const inputEmbedder = await embedderOf(input.kind);
	const inputVector = await inputEmbedder.embed(await loadPayload(input, deps.assets)).catch(() => null);

	const observed: ObservedOutput[] = outputs.map((o) => ({
		seq: o.seq,
		nodeId: o.nodeId,
		exactHash: o.exactHash,
		vector: o.vector,
		threshold: nearRepeatThreshold(embedders.get(o.payload.kind)!.id)
	}));
	const detection = detectLoops(observed, { firstStep: fromStep });
	const drift = outputs.map((o, i) => ({
		seq: o.seq,
		step: fromStep + i,
		nodeId: o.nodeId,
		kind: o.payload.kind,
		toInput: o.payload.kind === input.kind && o.vector && inputVector ? round(cosine(o.vector, inputVector)) : null,
		toPrevious: detection.toPrevious[i] === null ? null : round(detection.toPrevious[i]!)
	}));
	const primary = requested?.id ?? embedderFor(mostCommonKind(outputs)).id;
	return {
		runId,
		steps: detection.steps,
		fromStep,
		embedder: primary,
		fixedPoint: detection.fixedPoint
			? (({ kind, period, step, seq, nodeId, message }) => ({ kind, period, step, seq, nodeId, message }))(detection.fixedPoint)
			: null,
		converging: detection.converging
			? { sinceStep: detection.converging.sinceStep, nodeId: detection.converging.nodeId, message: detection.converging.message }
			: null,
		drift,
		recurrence: recurrence(outputs, options.maxPoints ?? DEFAULT_MAX_POINTS),
		cycles: detection.cycles,
		clusters: clusterOutputs(
			outputs.filter((o) => o.vector).map((o): ClusterPoint => ({ seq: o.seq, kind: o.payload.kind, vector: o.vector! })),
			(kind) => nearRepeatThreshold(embedders.get(kind)!.id)
		)
	};
}

/** Fills `vector` on each output: from the cache, else computed (and cached). */
async function fingerprint(deps: AnalysisDeps, outputs: Output[], embedder: ResolvedEmbedder): Promise<void> {
	const cached = await loadFingerprints(deps.db, outputs.map((o) => o.id), embedder.id);
	const missing = outputs.filter((o) => {
		o.vector = cached.get(o.id) ?? null;
		return !o.vector;
	});
	if (!missing.length) return;
	const computed = new Map<string, number[]>();
	// Local embedders are synchronous and cheap; hosted ones go a few at a time.
	const concurrency = embedder.id.startsWith('local/') ? 1 : EMBED_CONCURRENCY;
	let next = 0;
	const worker = async () => {
		while (next < missing.length) {
			const output = missing[next++];
			const payload = await loadPayload(output.payload, deps.assets).catch(() => null);
			if (!payload) continue; // an asset gone missing: no vector, the rest still counts
			output.vector = await embedder.embed(payload);
			if (output.vector) computed.set(output.id, output.vector);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, worker));
	if (computed.size) await saveFingerprints(deps.db, embedder.id, computed);
}

/** Pairwise cosines of (at most `maxPoints`, evenly chosen) outputs; null across modalities or without vectors. */
function recurrence(outputs: readonly Output[], maxPoints: number): RunAnalysis['recurrence'] {
	const picked = downsample(outputs, Math.max(1, maxPoints));
	const matrix = picked.map((a) =>
		picked.map((b) => (a.payload.kind === b.payload.kind && a.vector && b.vector ? (a === b ? 1 : round(cosine(a.vector, b.vector))) : null))
	);
	return { seqs: picked.map((o) => o.seq), matrix };
}

export function downsample<T>(items: readonly T[], max: number): T[] {
	if (items.length <= max) return [...items];
	if (max === 1) return [items[0]];
	return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]);
}

function mostCommonKind(outputs: readonly Output[]): Modality {
	const counts = { text: 0, image: 0, audio: 0 };
	for (const o of outputs) counts[o.payload.kind]++;
	return (['text', 'image', 'audio'] as const).reduce((best, kind) => (counts[kind] > counts[best] ? kind : best), 'text' as Modality);
}

/** Similarities to 4 decimals: plenty for charts, and a 400×400 matrix stays small as JSON. */
const round = (x: number) => Math.round(x * 1e4) / 1e4;
