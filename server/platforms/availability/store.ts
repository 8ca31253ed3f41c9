import { sql } from 'kysely';
import type { Db } from '../../db/connect';

/** One model's stored answer: what the provider (or a failed step) said, and when. */
export interface StoredAnswer {
	available: boolean;
	reason?: string;
	/** ISO time of the answer. */
	at: string;
}

/** What is known about one user's models on one platform. */
export interface PlatformRecord {
	platform: string;
	/** When the provider was last asked; null when only steps' `model_gone` marks exist. */
	checkedAt: Date | null;
	/** "could not check: …" when the last check failed. */
	error: string | null;
	answers: Record<string, StoredAnswer>;
}

/** The persistence the availability service needs (an interface, so unit tests keep it in memory). */
export interface AvailabilityStore {
	load(userId: string): Promise<PlatformRecord[]>;
	/** Replaces what a check found (answers and error together: a failed check leaves none). */
	save(userId: string, record: PlatformRecord): Promise<void>;
	/** Sets one model's answer, keeping the others (a step found the model gone mid-run). */
	mark(userId: string, platform: string, modelId: string, answer: StoredAnswer): Promise<void>;
	/** Forgets a platform's answers (the key they were asked with was removed). */
	clear(userId: string, platform: string): Promise<void>;
}

/** Owner of the `model_availability` table. */
export class KyselyAvailabilityStore implements AvailabilityStore {
	constructor(private db: Db) {}

	async load(userId: string): Promise<PlatformRecord[]> {
		const rows = await this.db.selectFrom('model_availability').selectAll().where('user_id', '=', userId).execute();
		return rows.map((r) => ({ platform: r.platform, checkedAt: r.checked_at, error: r.error, answers: r.answers ?? {} }));
	}

	async save(userId: string, record: PlatformRecord): Promise<void> {
		const values = {
			checked_at: record.checkedAt,
			error: record.error,
			answers: JSON.stringify(record.answers)
		};
		await this.db
			.insertInto('model_availability')
			.values({ user_id: userId, platform: record.platform, ...values })
			.onConflict((oc) => oc.columns(['user_id', 'platform']).doUpdateSet(values))
			.execute();
	}

	async mark(userId: string, platform: string, modelId: string, answer: StoredAnswer): Promise<void> {
		const one = JSON.stringify({ [modelId]: answer });
		// jsonb `||` merges: the other models' answers stay as the last check left them.
		await this.db
			.insertInto('model_availability')
			.values({ user_id: userId, platform, checked_at: null, error: null, answers: one })
			.onConflict((oc) =>
				oc.columns(['user_id', 'platform']).doUpdateSet({ answers: sql`model_availability.answers || excluded.answers` })
			)
			.execute();
	}

	async clear(userId: string, platform: string): Promise<void> {
		await this.db.deleteFrom('model_availability').where('user_id', '=', userId).where('platform', '=', platform).execute();
	}
}
