import type { AssetStore } from '../assets/store';
import type { Db } from '../db/connect';
import { loadPayload } from '../engine/payloads';
import type { CompletedOutput, RunReader, RunRow } from '../engine/run-reader';
import { resolveEmbedder, type EmbedDeps, type ResolvedEmbedder } from '../analysis/embed';
import { embedderFor, nearRepeatThreshold } from '../analysis/embedders/index';
import { storedExactHash } from '../analysis/exact-hash';
import { loadFingerprints, saveFingerprints } from '../analysis/fingerprints';
import type { Modality } from '../shared/platforms/types';
import type { AtlasEmbedders, AtlasRunInput } from './compute';

export interface AtlasLoadDeps {
	db: Db;
	runs: Pick<RunReader, 'completedOutputsOf'>;
	assets: AssetStore;
}

/** Hosted embedders are called this many at a time (local ones run inline). */
const EMBED_CONCURRENCY = 4;

/** The embedder per modality: the requested one (local or hosted) for its own, local defaults for the rest. */
export async function atlasEmbedders(requested: string | undefined, deps: EmbedDeps): Promise<Map<Modality, ResolvedEmbedder>> {
	const chosen = requested ? await resolveEmbedder(requested, deps) : null;
	const found = new Map<Modality, ResolvedEmbedder>();
	for (const kind of ['text', 'image', 'audio'] as const) {
		found.set(kind, chosen?.input === kind ? chosen : await resolveEmbedder(embedderFor(kind).id, {}));
	}
	return found;
}

export function embedderSettings(embedders: Map<Modality, ResolvedEmbedder>): AtlasEmbedders {
	const settings: AtlasEmbedders = {};
	for (const [kind, e] of embedders) settings[kind] = { id: e.id, threshold: nearRepeatThreshold(e.id) };
	return settings;
}

/**
 * The runs' completed outputs with their fingerprints, ready for computeAtlas. Vectors come
 * from the fingerprint cache the run analysis fills (output_fingerprints); the missing ones
 * are computed once per distinct output (loops repeat themselves) and cached for next time.
 */
export async function loadAtlasRuns(deps: AtlasLoadDeps, runs: readonly RunRow[], embedders: Map<Modality, ResolvedEmbedder>): Promise<AtlasRunInput[]> {
	const outputs = await deps.runs.completedOutputsOf(runs.map((r) => r.id));
	const all = [...outputs.values()].flat();
	const vectors = new Map<string, number[] | null>();
	for (const [kind, embedder] of embedders) {
		const group = all.filter((o) => o.output.kind === kind);
		if (group.length) await fingerprint(deps, group, embedder, vectors);
	}
	return runs.map((run) => ({
		runId: run.id,
		prompt: promptOf(run),
		startedAt: new Date(run.startedAt).getTime(),
		outputs: outputs.get(run.id)!.map((o) => ({
			seq: o.seq,
			nodeId: o.nodeId,
			output: o.output,
			exactHash: o.exactHash ?? storedExactHash(o.output),
			vector: vectors.get(o.id) ?? null
		}))
	}));
}

/** What a run was started with, as the atlas lists it: the text, or which picture or sound. */
export function promptOf(run: Pick<RunRow, 'input'>): string {
	const input = run.input;
	return input.kind === 'text' ? input.text : `${input.kind} ${input.asset.sha256.slice(0, 12)}`;
}

async function fingerprint(deps: AtlasLoadDeps, group: CompletedOutput[], embedder: ResolvedEmbedder, into: Map<string, number[] | null>): Promise<void> {
	const cached = await loadFingerprints(deps.db, group.map((o) => o.id), embedder.id);
	const missingByHash = new Map<string, CompletedOutput[]>();
	for (const o of group) {
		const vector = cached.get(o.id);
		if (vector) {
			into.set(o.id, vector);
			continue;
		}
		const hash = o.exactHash ?? storedExactHash(o.output);
		missingByHash.set(hash, [...(missingByHash.get(hash) ?? []), o]);
	}
	if (!missingByHash.size) return;
	const work = [...missingByHash.values()];
	const computed = new Map<string, number[]>();
	const concurrency = embedder.id.startsWith('local/') ? 1 : EMBED_CONCURRENCY;
	let next = 0;
	const worker = async () => {
		while (next < work.length) {
			const same = work[next++];
			const payload = await loadPayload(same[0].output, deps.assets).catch(() => null);
			// An asset gone missing: no vector; its exact hash still places it.
			const vector = payload ? await embedder.embed(payload) : null;
			for (const o of same) {
				into.set(o.id, vector);
				if (vector) computed.set(o.id, vector);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
	if (computed.size) await saveFingerprints(deps.db, embedder.id, computed);
}
