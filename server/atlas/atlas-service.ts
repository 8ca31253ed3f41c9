import { z } from 'zod';
import type { PublicUser } from '../auth/sessions';
import type { RunReader, RunRow } from '../engine/run-reader';
import { AppError, badRequest, notFound, tooManyRequests } from '../errors';
import type { Networks } from '../networks/networks';
import type { Catalogue } from '../platforms/catalogue';
import type { PlatformRegistry } from '../platforms/platform';
import { MemoryRateLimits, type RateLimit, type RateLimits } from '../cluster/counters';
import type { Atlas } from '../shared/atlas';
import type { PlatformId } from '../shared/platforms/types';
import { AtlasCache } from './cache';
import { computeAtlas } from './compute';
import { atlasEmbedders, embedderSettings, loadAtlasRuns, VectorMemo, type AtlasLoadDeps } from './load';
import { AtlasStore } from './store';
import { ATLAS_CODE_VERSION } from './version';

/** Runs in one atlas at most: 500 × 40 steps is 20,000 outputs, about a second of work. */
export const ATLAS_MAX_RUNS = 500;
const RUN_ID = /^[\w-]{1,64}$/;

export const atlasQuerySchema = z
	.object({
		/** Comma-separated run ids of the network; its finished runs when absent. */
		runs: z
			.string()
			.max(ATLAS_MAX_RUNS * 65)
			.optional()
			.describe(`Comma-separated ids of the network’s runs (at most ${ATLAS_MAX_RUNS}); its finished runs when absent.`),
		embedder: z.string().min(1).max(200).optional().describe('An embedder id (local or hosted) for its modality; local defaults for the others.')
	})
	.strict();
export type AtlasQuery = z.infer<typeof atlasQuerySchema>;

/** An experiment's atlas is of its own finished runs: only the embedder can be chosen. */
export const experimentAtlasQuerySchema = atlasQuerySchema.omit({ runs: true });

export interface AtlasServiceDeps extends AtlasLoadDeps {
	networks: Pick<Networks, 'access' | 'find'>;
	runs: Pick<RunReader, 'completedOutputsOf' | 'list' | 'getMany'>;
	platforms?: PlatformRegistry;
	revealKey?: (userId: string, platform: PlatformId) => Promise<string | null>;
	catalogue?: Pick<Catalogue, 'embedders'>;
	/** Where rate limits count: memory in the single process, Redis in a cluster (default memory). */
	rates?: RateLimits;
	/** Atlases computed per person per minute (cached ones are free; default 20). */
	perMinute?: number;
	/** Atlases computed at once in this process (default 2); one more is a 503. */
	atOnce?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

/**
 * `GET /api/networks/:id/atlas`: anyone who may see the network may see its atlas. A computed
 * atlas is kept (keyed by its runs, how far each got, the embedder and the code's version), in
 * memory and in the database, so a second look costs nothing, in this process or a fresh one;
 * computing one is bounded per person and per process.
 */
export class AtlasService {
	private cache = new AtlasCache(32);
	private limiter: RateLimit;
	private computing = 0;
	private memo = new VectorMemo();
	private store: AtlasStore;

	constructor(private deps: AtlasServiceDeps) {
		this.store = new AtlasStore(deps.db);
		this.limiter = (deps.rates ?? new MemoryRateLimits()).rateLimit('atlas', deps.perMinute ?? 20, 60_000);
	}

	async forNetwork(networkId: string, user: PublicUser | null, query: AtlasQuery): Promise<Atlas> {
		return (await this.withRuns(networkId, user, query)).atlas;
	}

	/** The atlas with the runs it is of and the network's name (for an export of the runs). */
	async withRuns(networkId: string, user: PublicUser | null, query: AtlasQuery): Promise<{ networkName: string; runs: RunRow[]; atlas: Atlas }> {
		const { network } = await this.deps.networks.access(networkId, user);
		const runs = await this.pickRuns(networkId, query.runs);
		const atlas = await this.compute(networkId, runs, query.embedder, user?.id ?? 'anonymous');
		return { networkName: network.name, runs, atlas };
	}

	/**
	 * The atlas of runs the caller already may read: the experiment CLI's own runs, or an
	 * experiment's runs once its service checked access. `who` spends the rate when a person
	 * asked (null: this process's own work).
	 */
	async forRuns(networkId: string, runIds: readonly string[], embedder?: string, who: string | null = null): Promise<Atlas> {
		const runs = await this.deps.runs.getMany(runIds);
		if (runs.length !== new Set(runIds).size) throw notFound('Some of these runs do not exist.');
		return this.compute(networkId, runs, embedder, who);
	}

	private async pickRuns(networkId: string, list: string | undefined): Promise<RunRow[]> {
		if (list === undefined) {
			const all = await this.deps.runs.list(networkId, ATLAS_MAX_RUNS * 2);
			return all.filter((r) => r.status !== 'running').slice(0, ATLAS_MAX_RUNS);
		}
		const ids = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
		if (!ids.length) throw badRequest('Give at least one run id in ?runs=, or leave it out for the network’s finished runs.');
		if (ids.length > ATLAS_MAX_RUNS) throw badRequest(`At most ${ATLAS_MAX_RUNS} runs in one atlas.`);
		const bad = ids.find((id) => !RUN_ID.test(id));
		if (bad !== undefined) throw badRequest(`Not a run id: ${JSON.stringify(bad.slice(0, 70))}.`);
		const found = new Map((await this.deps.runs.getMany(ids)).filter((r) => r.networkId === networkId).map((r) => [r.id, r]));
		const missing = ids.filter((id) => !found.has(id));
		// Another network's run answers like one that does not exist: ids are not for probing.
		if (missing.length) throw notFound(`No run ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ' …' : ''} in this network.`);
		return ids.map((id) => found.get(id)!);
	}

	/** `who` is the person whose rate the computation spends (null: this process's own work). */
	private async compute(networkId: string, runs: RunRow[], embedderId: string | undefined, who: string | null): Promise<Atlas> {
		const key = AtlasStore.keyOf([ATLAS_CODE_VERSION.atlas, ATLAS_CODE_VERSION.panic, embedderId ?? null, runs.map((r) => `${r.id}:${r.nextSeq}`).sort()]);
		const hit = this.cache.get(key);
		if (hit) return hit;
		const stored = await this.store.get(key);
		if (stored) {
			this.cache.set(key, stored);
			return stored;
		}
		if (who !== null) {
			const verdict = await this.limiter.take(who);
			if (!verdict.ok) {
				const seconds = Math.ceil(verdict.retryAfterMs / 1000);
				throw tooManyRequests(`Too many atlases computed; try again in ${seconds} s.`, seconds);
			}
		}
		const slots = this.deps.atOnce ?? 2;
		if (this.computing >= slots) throw new AppError(503, 'PANIC is computing other atlases right now; try again in a few seconds.', { retryAfterSeconds: 5 });
		this.computing++;
		try {
			const embedders = await atlasEmbedders(embedderId, {
				platforms: this.deps.platforms,
				revealKey: this.deps.revealKey,
				ownerId: embedderId ? (await this.deps.networks.find(networkId))?.ownerId : undefined,
				embedders: this.deps.catalogue?.embedders
			});
			const inputs = await loadAtlasRuns({ ...this.deps, memo: this.memo }, runs, embedders);
			const atlas = computeAtlas(inputs, embedderSettings(embedders));
			this.cache.set(key, atlas);
			// Kept for fresh processes; an atlas that could not be kept (its network just deleted) is still the answer.
			await this.store.put(key, networkId, atlas).catch((error) => (this.deps.log ?? console).error(`[atlas] keeping the atlas of ${networkId} failed`, error));
			return atlas;
		} finally {
			this.computing--;
		}
	}
}
