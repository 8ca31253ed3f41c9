import { z } from 'zod';
import { DUMMY_MODELS } from './dummy/index';
import { LOCAL_MODELS } from './local/index';
import { MODALITIES, PLATFORMS, type ModelInfo } from './types';

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

	constructor(models: ModelInfo[]) {
		this.byId = new Map(models.map((m) => [m.id, m]));
		if (this.byId.size !== models.length) throw new Error('Duplicate model id in the catalogue.');
	}

	static builtIn(opts: { dummyModels?: boolean } = {}): Catalogue {
		const models = [...LOCAL_MODELS, ...(opts.dummyModels ? DUMMY_MODELS : [])].map((m) => m.info);
		return new Catalogue(models);
	}

	get(id: string): ModelInfo | undefined {
		return this.byId.get(id);
	}

	list(filter: CatalogueFilter = {}): ModelInfo[] {
		const q = filter.q?.trim().toLowerCase();
		return [...this.byId.values()].filter(
			(m) =>
				(filter.includeDeprecated || !m.deprecated) &&
				(!filter.input || m.input === filter.input) &&
				(!filter.output || m.output === filter.output) &&
				(!filter.platform || m.platform === filter.platform) &&
				(!q || `${m.id} ${m.name} ${m.description}`.toLowerCase().includes(q))
		);
	}
}
