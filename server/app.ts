import { Accounts } from './auth/accounts';
import { SessionStore } from './auth/sessions';
import type { Config } from './config';
import { embeddedDatabasePath, openDatabase, type Db } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { KeyCipher } from './keys/cipher';
import { ProviderKeys } from './keys/provider-keys';
import { loadSecretKey } from './keys/secret';
import { Catalogue } from './platforms/catalogue';
import { checkProviderKey, type KeyCheckResult } from './platforms/key-check';
import type { HostedPlatformId } from './platforms/types';
import { notFound } from './errors';

/**
 * The domain: one instance per process, shared by HTTP routes and (later) the WebSocket
 * upgrade handler. Everything here takes its dependencies from `createPanic`, never from
 * module globals, so tests can build as many as they like.
 */
export interface Panic {
	config: Config;
	db: Db;
	sessions: SessionStore;
	accounts: Accounts;
	keys: ProviderKeys;
	catalogue: Catalogue;
	/** Calls the provider's cheapest authenticated endpoint with the user's saved key. */
	checkKey(userId: string, platform: HostedPlatformId): Promise<KeyCheckResult>;
	close(): Promise<void>;
}

export async function createPanic(config: Config, opts: { db?: Db } = {}): Promise<Panic> {
	const db = opts.db ?? (await openDatabase({ url: config.databaseUrl ?? embeddedDatabasePath(config.dataDir) }));
	await migrateToLatest(db);
	const sessions = new SessionStore(db);
	await sessions.sweepExpired();
	const keys = new ProviderKeys(db, new KeyCipher(loadSecretKey(config)));
	let closed = false;
	return {
		config,
		db,
		sessions,
		accounts: new Accounts(db, sessions),
		keys,
		catalogue: Catalogue.builtIn({ dummyModels: config.dummyModels }),
		async checkKey(userId, platform) {
			const key = await keys.reveal(userId, platform);
			if (!key) throw notFound(`No ${platform} key is saved. Add one first.`);
			return checkProviderKey(platform, key, config);
		},
		async close() {
			if (closed) return;
			closed = true;
			if (!opts.db) await db.destroy();
		}
	};
}
