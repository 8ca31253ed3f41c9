import type { Db } from '../db/connect';
import { badRequest } from '../errors';
import type { Catalogue } from './catalogue';
import type { ModelInfo } from '../shared/platforms/types';

/** How many models one person may add by name; a palette, not a mirror of Replicate. */
export const MAX_CUSTOM_MODELS_PER_USER = 100;

/**
 * Models people add by name (any Replicate model), saved per user next to the curated
 * catalogue. A run looks a model up in the curated catalogue first, then among the network
 * owner's saved models (runs spend the owner's keys, so the owner's mapping wins), then
 * among anyone's (a collaborator placed it on the canvas).
 */
export class CustomModels {
	constructor(
		private db: Db,
		private catalogue: Catalogue
	) {}

	async list(userId: string): Promise<ModelInfo[]> {
		const rows = await this.db
			.selectFrom('custom_models')
			.select('info')
			.where('user_id', '=', userId)
			.orderBy('created_at')
			.orderBy('model_id')
			.execute();
		return rows.map((r) => r.info as unknown as ModelInfo);
	}

	/** Saves (or replaces) a user's model. Curated ids cannot be shadowed. */
	async save(userId: string, info: ModelInfo): Promise<ModelInfo> {
		if (this.catalogue.get(info.id)) throw badRequest(`${info.id} is already in the catalogue; use it from there.`);
		const count = await this.db
			.selectFrom('custom_models')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('user_id', '=', userId)
			.where('model_id', '!=', info.id)
			.executeTakeFirstOrThrow();
		if (Number(count.n) >= MAX_CUSTOM_MODELS_PER_USER) {
			throw badRequest(`You have ${MAX_CUSTOM_MODELS_PER_USER} models of your own already; remove one first.`);
		}
		const value = JSON.stringify(info);
		await this.db
			.insertInto('custom_models')
			.values({ user_id: userId, model_id: info.id, info: value })
			.onConflict((oc) => oc.columns(['user_id', 'model_id']).doUpdateSet({ info: value }))
			.execute();
		return info;
	}

	async remove(userId: string, modelId: string): Promise<boolean> {
		const result = await this.db
			.deleteFrom('custom_models')
			.where('user_id', '=', userId)
			.where('model_id', '=', modelId)
			.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}

	/** The model a run of `ownerId`'s network uses for `modelId`, if anyone has it. */
	async resolve(modelId: string, ownerId: string): Promise<ModelInfo | undefined> {
		const curated = this.catalogue.get(modelId);
		if (curated) return curated;
		const row = await this.db
			.selectFrom('custom_models')
			.select('info')
			.where('model_id', '=', modelId)
			// The owner's own entry first, then the oldest one anyone saved.
			.orderBy((eb) => eb.case().when('user_id', '=', ownerId).then(0).else(1).end())
			.orderBy('created_at')
			.orderBy('user_id')
			.limit(1)
			.executeTakeFirst();
		return row ? (row.info as unknown as ModelInfo) : undefined;
	}

	/** The user's own models plus any others `modelIds` (a network's nodes) refer to. */
	async forEditor(userId: string, ownerId: string, modelIds: string[]): Promise<ModelInfo[]> {
		const mine = await this.list(userId);
		const have = new Set(mine.map((m) => m.id));
		const missing = [...new Set(modelIds)].filter((id) => !have.has(id) && !this.catalogue.get(id));
		const others = await Promise.all(missing.map((id) => this.resolve(id, ownerId)));
		return [...mine, ...others.filter((m): m is ModelInfo => m !== undefined)];
	}
}
