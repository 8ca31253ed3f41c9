import { z } from 'zod';
import { isOffered } from '../shared/platforms/availability-view';
import { DUMMY_MODELS } from './dummy/index';
import { HOSTED_EMBEDDERS, HOSTED_MODELS } from './hosted/index';
import { LOCAL_MODELS } from './local/index';
import { MODALITIES, PLATFORMS, type EmbedderInfo, type ModelInfo } from '../shared/platforms/types';

export const catalogueFilterSchema = z.object({
	input: z.enum(MODALITIES as [string, ...string[]]).optional(),
	output: z.enum(MODALITIES as [string, ...string[]]).optional(),
	platform: z.enum(PLATFORMS as [string, ...string[]]).optional(),
	q: z.string().max(100).optional(),
	includeDeprecated: z.stringbool().optional()
});
export type CatalogueFilter = z.infer<typeof catalogueFilterSchema>;

/**
 * Every model PANIC knows, by id. Dummy models exist for tests and only appear when asked
 * for (PANIC_DUMMY_MODELS=1), so a real audience never sees them in the palette.
 */
export class Catalogue {
	private byId: Map<string, ModelInfo>;

	constructor(
		models: readonly ModelInfo[],
		readonly embedders: readonly EmbedderInfo[] = []
	) {
		this.byId = new Map(models.map((m) => [m.id, m]));
		if (this.byId.size !== models.length) throw new Error('Duplicate model id in the catalogue.');
	}

	/** The local models, the curated hosted ones, and (for tests) the dummy ones. */
	static builtIn(opts: { dummyModels?: boolean } = {}): Catalogue {
		const inProcess = [...LOCAL_MODELS, ...(opts.dummyModels ? DUMMY_MODELS : [])].map((m) => m.info);
		return new Catalogue([...inProcess, ...HOSTED_MODELS], HOSTED_EMBEDDERS);
	}

	get(id: string): ModelInfo | undefined {
		return this.byId.get(id);
	}

	list(filter: CatalogueFilter = {}): ModelInfo[] {
		return filterModels([...this.byId.values()], filter);
	}
}

/** The models that pass a palette filter (modalities, platform, a search over id, name and description). */
export function filterModels<M extends ModelInfo>(models: M[], filter: CatalogueFilter = {}): M[] {
	const q = filter.q?.trim().toLowerCase();
	const now = Date.now();
	return models.filter(
		(m) =>
			(filter.includeDeprecated || isOffered(m, now)) &&
			(!filter.input || m.input === filter.input) &&
			(!filter.output || m.output === filter.output) &&
			(!filter.platform || m.platform === filter.platform) &&
			(!q || `${m.id} ${m.name} ${m.description}`.toLowerCase().includes(q))
	);
}

/**
 * A model as people and browsers see it: the catalogue fields without the provider call
 * spec (system prompts, fixed inputs, billing tables), which only the adapter needs.
 */
export function publicModelInfo(model: ModelInfo): ModelInfo {
	const { id, platform, name, input, output, description, homepage, defaults, deprecated, pricing, params, confirmed, retires } = model;
	return {
		id,
		platform,
		name,
		input,
		output,
		description,
		homepage,
		defaults,
		...(deprecated ? { deprecated } : {}),
		...(pricing ? { pricing } : {}),
		...(params ? { params } : {}),
		...(confirmed ? { confirmed } : {}),
		...(retires ? { retires } : {})
	};
}
