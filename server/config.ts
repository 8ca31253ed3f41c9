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

	// Untrusted bytes in (issue 11, findings 1 and 5): provider output downloads, run imports.
	/**
	 * Hosts output files may be downloaded from besides the providers' own (which must resolve
	 * to public addresses) and the `*_BASE_URL` origins; trusted as configured
	 * (PANIC_OUTPUT_HOSTS: comma-separated `host`, `*.host`, `host:port` or `http://host:port`).
	 */
	outputHosts: string[];
	/** Everything in an imported ZIP once inflated, in bytes (PANIC_IMPORT_MAX_EXPANDED_MB, default 512). */
	importMaxExpandedBytes: number;
	/** How many times its size an imported ZIP may inflate to (PANIC_IMPORT_MAX_RATIO, default 600). */
	importMaxRatio: number;
	/** Run imports read at once; one more gets a 503 (PANIC_IMPORTS_AT_ONCE, default 2). */
	importsAtOnce: number;
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

		// Untrusted bytes in (issue 11, findings 1 and 5).
		outputHosts: (env.PANIC_OUTPUT_HOSTS ?? '').split(/[\s,]+/).filter(Boolean),
		importMaxExpandedBytes: positiveNumber(env.PANIC_IMPORT_MAX_EXPANDED_MB, 512) * 1024 * 1024,
		importMaxRatio: positiveNumber(env.PANIC_IMPORT_MAX_RATIO, 600),
		importsAtOnce: Math.max(1, Math.floor(positiveNumber(env.PANIC_IMPORTS_AT_ONCE, 2)))
	};
}

/** A positive number from the environment, or the default when unset; anything else stops the start. */
function positiveNumber(value: string | undefined, fallback: number): number {
	if (value === undefined || value.trim() === '') return fallback;
	const number = Number(value);
	if (!Number.isFinite(number) || number <= 0) throw new Error(`Expected a positive number, got "${value}".`);
	return number;
}
