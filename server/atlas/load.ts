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
	/** Vectors remembered between atlases (none: every atlas reads or computes its own). */
	memo?: VectorMemo;
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
 * The runs' completed outputs with their fingerprints, ready for computeAtlas. Vectors are
 * found once per distinct output: remembered from an earlier atlas, else (text, locally)
 * computed, else read from the fingerprint cache the run analysis fills (output_fingerprints),
 * else computed and written there for next time.
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
	// Loops repeat themselves: one vector per distinct output, shared by every invocation of it.
	const byHash = new Map<string, CompletedOutput[]>();
	for (const o of group) {
		const hash = o.exactHash ?? storedExactHash(o.output);
		byHash.set(hash, [...(byHash.get(hash) ?? []), o]);
	}
	const settle = (same: CompletedOutput[], vector: number[] | null) => {
		for (const o of same) into.set(o.id, vector);
	};
	const memo = deps.memo;
	let pending: Array<[string, CompletedOutput[]]> = [];
	for (const [hash, same] of byHash) {
		const known = memo?.get(embedder.id, hash);
		if (known !== undefined) settle(same, known);
		// Text costs microseconds to embed locally: cheaper than reading its vector back.
		else if (same[0].output.kind === 'text' && embedder.id.startsWith('local/')) {
			const vector = await embedder.embed(same[0].output);
			memo?.set(embedder.id, hash, vector);
			settle(same, vector);
		} else pending.push([hash, same]);
	}
	if (!pending.length) return;
	// Then the fingerprint cache the run analysis fills; any invocation of each output will do.
	// The first of each first (where the atlas writes), the others only for outputs still
	// without one: a loop's 2,000 images are some 200 distinct ones, and each vector read costs
	// its JSON. One found on another invocation is written for the first too, for next time.
	const computed = new Map<string, number[]>();
	for (const [round, ids] of [(same: CompletedOutput[]) => [same[0].id], (same: CompletedOutput[]) => same.slice(1).map((o) => o.id)].entries()) {
		const cached = await loadFingerprints(deps.db, pending.flatMap(([, same]) => ids(same)), embedder.id);
		pending = pending.filter(([hash, same]) => {
			const found = same.map((o) => cached.get(o.id)).find((v) => v);
			if (!found) return true;
			memo?.set(embedder.id, hash, found);
			settle(same, found);
			if (round > 0) computed.set(same[0].id, found);
			return false;
		});
		if (!pending.length) break;
	}
	const concurrency = embedder.id.startsWith('local/') ? 1 : EMBED_CONCURRENCY;
	let next = 0;
	const worker = async () => {
		while (next < pending.length) {
			const [hash, same] = pending[next++];
			const payload = await loadPayload(same[0].output, deps.assets).catch(() => null);
			// An asset gone missing: no vector; its exact hash still places it.
			const vector = payload ? await embedder.embed(payload) : null;
			if (payload) memo?.set(embedder.id, hash, vector);
			settle(same, vector);
			if (vector) computed.set(same[0].id, vector);
		}
	};
	if (pending.length) await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
	if (computed.size) await saveFingerprints(deps.db, embedder.id, computed);
}

/**
 * Vectors by embedder and exact hash, kept between atlases in this process (the same runs are
 * looked at again, in other subsets). Bounded: the oldest go first.
 */
export class VectorMemo {
	private vectors = new Map<string, number[] | null>();

	constructor(private capacity = 50_000) {}

	get(embedder: string, hash: string): number[] | null | undefined {
		return this.vectors.get(`${embedder}\n${hash}`);
	}

	set(embedder: string, hash: string, vector: number[] | null): void {
		this.vectors.set(`${embedder}\n${hash}`, vector);
		if (this.vectors.size > this.capacity) this.vectors.delete(this.vectors.keys().next().value!);
	}
}
