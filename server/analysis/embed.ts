import { badRequest } from '../errors';
import { missingKeysMessage } from '../engine/preflight';
import { HOSTED_EMBEDDERS } from '../platforms/hosted/index';
import type { PlatformRegistry } from '../platforms/platform';
import type { EmbedderInfo, HostedPlatformId, Modality, Payload, PlatformId } from '../shared/platforms/types';
import { localEmbedder } from './embedders/index';

export interface EmbedDeps {
	platforms?: PlatformRegistry;
	/** The owner's provider key (runs and their analysis spend the network owner's keys). */
	revealKey?: (userId: string, platform: PlatformId) => Promise<string | null>;
	ownerId?: string;
	/** Hosted embedders (the catalogue's); the built-in list when absent. */
	embedders?: readonly EmbedderInfo[];
	signal?: AbortSignal;
}

/** An embedder resolved for use: its modality, and a function from payload to vector. */
export interface ResolvedEmbedder {
	id: string;
	input: Modality;
	embed(payload: Payload): Promise<number[] | null>;
}

/**
 * Finds an embedder by id, local or hosted, and checks up front what it needs: 400 for an
 * unknown id, 400 naming the key when a hosted one's platform needs a key the owner lacks.
 */
export async function resolveEmbedder(embedderId: string, deps: EmbedDeps): Promise<ResolvedEmbedder> {
	const local = localEmbedder(embedderId);
	if (local) return { id: local.id, input: local.input, embed: async (payload) => local.embed(payload) };
	const info = (deps.embedders ?? HOSTED_EMBEDDERS).find((e) => e.id === embedderId);
	if (!info) throw badRequest(`Unknown embedder ${embedderId}.`);
	const platform = deps.platforms?.get(info.platform);
	if (!platform?.embed) throw badRequest(`${info.name} (${info.platform}) cannot run on this server.`);
	let key: string | undefined;
	if (platform.needsKey) {
		key = (deps.ownerId && (await deps.revealKey?.(deps.ownerId, info.platform))) || undefined;
		if (!key) throw badRequest(missingKeysMessage([info.platform as HostedPlatformId]), { missingKeys: [info.platform] });
	}
	const signal = deps.signal ?? new AbortController().signal;
	return {
		id: info.id,
		input: info.input,
		async embed(payload) {
			if (payload.kind !== info.input) return null;
			const result = await platform.embed!(info, payload, { signal, key, params: {} });
			return result.vector;
		}
	};
}

/** One payload through one embedder (local or hosted, with the owner's key); null when it cannot read it. */
export async function embedWith(embedderId: string, payload: Payload, deps: EmbedDeps): Promise<number[] | null> {
	return (await resolveEmbedder(embedderId, deps)).embed(payload);
}
