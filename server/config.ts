import { availableParallelism } from 'node:os';
import path from 'node:path';
import { frameAncestorsFromEnv } from './http/security-headers';

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

	// --- The HTTP edge (issue 11: login and sign-up throttling, framing of kiosk pages) ---
	/** Wrong passwords one client address may try on one account per login window (then 429). */
	loginFailuresPerAccountClient: number;
	/** Wrong passwords one client address may try across all accounts per login window (then 429). */
	loginFailuresPerClient: number;
	/** The window the login counts drain over. */
	loginWindowMs: number;
	/** Longest slow-down of an account's log-ins while it is guessed at from many addresses. */
	loginMaxDelayMs: number;
	/** Sign-ups per client address per sign-up window (a workshop room shares one address). */
	signupsPerAddress: number;
	signupWindowMs: number;
	/** Password hashes (argon2id) computed at once; more wait their turn, so log-ins never starve the event loop. */
	passwordHashConcurrency: number;
	/** frame-ancestors sources for kiosk and display pages; every other page may not be framed. */
	kioskFrameAncestors: string[];
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

		// --- The HTTP edge (issue 11) ---
		loginFailuresPerAccountClient: intFromEnv(env, 'LOGIN_FAILURES_PER_ACCOUNT_CLIENT', 5),
		loginFailuresPerClient: intFromEnv(env, 'LOGIN_FAILURES_PER_CLIENT', 50),
		loginWindowMs: intFromEnv(env, 'LOGIN_WINDOW_SECONDS', 15 * 60) * 1000,
		loginMaxDelayMs: intFromEnv(env, 'LOGIN_MAX_DELAY_MS', 3000, 0),
		signupsPerAddress: intFromEnv(env, 'SIGNUPS_PER_ADDRESS', 30),
		signupWindowMs: intFromEnv(env, 'SIGNUP_WINDOW_SECONDS', 10 * 60) * 1000,
		passwordHashConcurrency: intFromEnv(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, Math.floor(availableParallelism() / 2))),
		kioskFrameAncestors: frameAncestorsFromEnv(env.KIOSK_FRAME_ANCESTORS)
	};
}

/** A whole number ≥ `min` from the environment, or the default; anything else stops start-up with a clear message. */
function intFromEnv(env: Record<string, string | undefined>, name: string, fallback: number, min = 1): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}").`);
	return value;
}
