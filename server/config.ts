import path from 'node:path';

/**
 * Everything PANIC reads from its environment, in one place. Domain modules take a Config
 * (or the part they need) instead of reading process.env, so tests can build their own.
 */
export interface Config {
	/** Postgres connection string; absent means the embedded PGlite database. */
	databaseUrl?: string;
	/** Where PGlite, the secret key file and (later) assets live. */
	dataDir: string;
	/** 32-byte key for provider-key encryption, from PANIC_SECRET_KEY (base64 or hex). */
	secretKey?: string;
	/** The public origin (e.g. https://panic.example.org); used for Origin checks and cookies. */
	origin?: string;
	/** Base URLs of the provider APIs; tests point these at fake servers. */
	replicateBaseUrl?: string;
	openaiBaseUrl?: string;
	hfBaseUrl?: string;
	/** Vestaboard Read/Write API root (default https://rw.vestaboard.com/); tests point it at a fake. */
	vestaboardBaseUrl?: string;
	/** Largest JSON body accepted by the API, in bytes. */
	maxJsonBytes: number;
	/** Show the `dummy` test models in the catalogue (PANIC_DUMMY_MODELS=1). */
	dummyModels: boolean;
	// ── Sync rooms: what editors may write, and presence (issue 11, findings 7 and 8) ──
	/** A graph doc's encoded size, history included, past which editors' updates are refused. */
	syncMaxDocBytes: number;
	/** Bytes of a room's updates held back waiting for changes the server never received. */
	syncMaxPendingBytes: number;
	/** Largest presence state (name, colour, cursor…) relayed for one client, as JSON bytes. */
	presenceMaxStateBytes: number;
	/** Presence client ids one connection may publish (the stock client uses one). */
	presenceMaxClientsPerSession: number;
	/** How long a session whose update was refused must wait before reopening sync sockets. */
	syncRefusedCooldownMs: number;
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): Config {
	return {
		databaseUrl: env.DATABASE_URL || undefined,
		dataDir: path.resolve(env.PANIC_DATA_DIR || 'data'),
		secretKey: env.PANIC_SECRET_KEY || undefined,
		origin: env.ORIGIN || undefined,
		replicateBaseUrl: env.REPLICATE_BASE_URL || undefined,
		openaiBaseUrl: env.OPENAI_BASE_URL || undefined,
		hfBaseUrl: env.HF_BASE_URL || undefined,
		vestaboardBaseUrl: env.VESTABOARD_BASE_URL || undefined,
		maxJsonBytes: 1024 * 1024,
		dummyModels: env.PANIC_DUMMY_MODELS === '1',
		// Sync rooms (issue 11, findings 7 and 8)
		syncMaxDocBytes: positiveInt(env.PANIC_SYNC_MAX_DOC_BYTES, 8 * 1024 * 1024),
		syncMaxPendingBytes: positiveInt(env.PANIC_SYNC_MAX_PENDING_BYTES, 1024 * 1024),
		presenceMaxStateBytes: positiveInt(env.PANIC_PRESENCE_MAX_STATE_BYTES, 4096),
		presenceMaxClientsPerSession: positiveInt(env.PANIC_PRESENCE_MAX_CLIENTS_PER_SESSION, 4),
		syncRefusedCooldownMs: positiveInt(env.PANIC_SYNC_REFUSED_COOLDOWN_MS, 5000)
	};
}

/** A whole number above zero from the environment, or the default when unset or not one. */
function positiveInt(value: string | undefined, fallback: number): number {
	const n = Number(value);
	return value && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
