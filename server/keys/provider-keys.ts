import { z } from 'zod';
import type { Db } from '../db/connect';
import { notFound } from '../errors';
import { HOSTED_PLATFORMS, type HostedPlatformId } from '../shared/platforms/types';
import type { KeyCipher } from './cipher';

export const platformSchema = z.enum(HOSTED_PLATFORMS as [HostedPlatformId, ...HostedPlatformId[]], {
	error: `Unknown platform. Use one of: ${HOSTED_PLATFORMS.join(', ')}.`
});

export const keyBodySchema = z.object({
	key: z
		.string()
		.trim()
		.min(8, { error: 'That key looks too short. Paste the whole key.' })
		.max(512, { error: 'That key is too long.' })
		.regex(/^[\x21-\x7e]+$/, { error: 'A key has no spaces or unusual characters. Paste just the key.' })
});

export interface KeySummary {
	platform: HostedPlatformId;
	last4: string;
	updatedAt: Date;
}

/** What others learn when a key changes (the availability cache asks again with a new key). */
export interface KeyEvents {
	saved?(userId: string, platform: HostedPlatformId): void;
	removed?(userId: string, platform: HostedPlatformId): void;
}

/** Provider keys per user: encrypted on the way in, decrypted only for server-side calls. */
export class ProviderKeys {
	constructor(
		private db: Db,
		private cipher: KeyCipher,
		private events: KeyEvents = {}
	) {}

	async save(userId: string, platform: HostedPlatformId, key: string): Promise<KeySummary> {
		const ciphertext = this.cipher.encrypt(key, { userId, platform });
		const last4 = key.slice(-4);
		const now = new Date();
		await this.db
			.insertInto('provider_keys')
			.values({ user_id: userId, platform, ciphertext, last4, created_at: now, updated_at: now })
			.onConflict((oc) => oc.columns(['user_id', 'platform']).doUpdateSet({ ciphertext, last4, updated_at: now }))
			.execute();
		this.events.saved?.(userId, platform);
		return { platform, last4, updatedAt: now };
	}

	async list(userId: string): Promise<KeySummary[]> {
		const rows = await this.db
			.selectFrom('provider_keys')
			.select(['platform', 'last4', 'updated_at'])
			.where('user_id', '=', userId)
			.orderBy('platform')
			.execute();
		return rows.map((r) => ({ platform: r.platform as HostedPlatformId, last4: r.last4, updatedAt: r.updated_at }));
	}

	async remove(userId: string, platform: HostedPlatformId): Promise<void> {
		const result = await this.db
			.deleteFrom('provider_keys')
			.where('user_id', '=', userId)
			.where('platform', '=', platform)
			.executeTakeFirst();
		if (result.numDeletedRows === 0n) throw notFound(`No ${platform} key is saved.`);
		this.events.removed?.(userId, platform);
	}

	/** The plaintext key, for server-side provider calls only. Never send it to a browser. */
	async reveal(userId: string, platform: HostedPlatformId): Promise<string | null> {
		const row = await this.db
			.selectFrom('provider_keys')
			.select('ciphertext')
			.where('user_id', '=', userId)
			.where('platform', '=', platform)
			.executeTakeFirst();
		return row ? this.cipher.decrypt(row.ciphertext, { userId, platform }) : null;
	}
}
