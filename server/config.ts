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

	// —— capacity: audience joins and runs (issue 11, findings 9 and 10) ——
	/** Audience joins one address may make to one network at once (a venue behind one NAT scanning together). */
	joinBurstPerAddress: number;
	/** …and per minute after that burst. */
	joinsPerAddressPerMinute: number;
	/** Audience joins and prompts handled at once; the rest wait their turn, round-robin per address. */
	audienceAtOnce: number;
	/** Audience joins and prompts that may wait for a turn before more are refused (503). */
	audienceWaiting: number;
	/** Runs going at once (paused ones too) on the networks of one owner. */
	runsPerOwner: number;
	/** Runs going at once in this process. */
	runsTotal: number;
	/** Built-in models' steps (the call and its database writes) and output fingerprints at once, across every run. */
	stepsAtOnce: number;
	/** Least milliseconds between a hosted model's step and the step before it, whatever a network's pacing. */
	hostedStepMinMs: number;
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
		...capacityFromEnv(env)
	};
}

type CapacityConfig = Pick<
	Config,
	'joinBurstPerAddress' | 'joinsPerAddressPerMinute' | 'audienceAtOnce' | 'audienceWaiting' | 'runsPerOwner' | 'runsTotal' | 'stepsAtOnce' | 'hostedStepMinMs'
>;

/**
 * Capacity limits. A venue's 500 phones share one address: 250 join at once and the rest
 * within about two minutes, while one address cannot mint sessions without end. Joins and
 * prompts, and built-in models' steps, take turns two at a time, so a crowd or a loop never
 * queues more than a few tasks' work ahead of anyone else's request. Four runs per owner and
 * sixteen in all keep one account from taking the server; hosted models step at most once a second.
 */
function capacityFromEnv(env: Record<string, string | undefined>): CapacityConfig {
	return {
		joinBurstPerAddress: count(env, 'PANIC_JOIN_BURST_PER_ADDRESS', 250, 1),
		joinsPerAddressPerMinute: count(env, 'PANIC_JOINS_PER_ADDRESS_PER_MINUTE', 120, 1),
		audienceAtOnce: count(env, 'PANIC_AUDIENCE_AT_ONCE', 2, 1),
		audienceWaiting: count(env, 'PANIC_AUDIENCE_WAITING', 5000, 1),
		runsPerOwner: count(env, 'PANIC_RUNS_PER_OWNER', 4, 1),
		runsTotal: count(env, 'PANIC_RUNS_TOTAL', 16, 1),
		stepsAtOnce: count(env, 'PANIC_STEPS_AT_ONCE', 2, 1),
		hostedStepMinMs: count(env, 'PANIC_HOSTED_STEP_MIN_MS', 1000, 0)
	};
}

/** A whole number from the environment, or the default when unset; anything else stops the start-up. */
function count(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}; it is "${raw}".`);
	return value;
}
