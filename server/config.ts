import path from 'node:path';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionSettings } from './http/connection-admission';

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
	// —— Streams and sockets (issue 11, findings 2–3): caps on long-lived connections, header timeouts ——
	/** Caps on SSE feed streams and sync sockets together (server/http/connection-admission.ts). */
	connections: ConnectionSettings;
	/** Time a client has to send its request (or WebSocket upgrade) headers before the socket is cut. */
	headersTimeoutMs: number;
	/** Time a client has to send a whole request, body included (run-export uploads are the slowest). */
	requestTimeoutMs: number;
	/** Connections the kernel may queue for the server to accept (capped by net.core.somaxconn). */
	listenBacklog: number;
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
		// —— Streams and sockets (issue 11, findings 2–3) ——
		connections: {
			perAddress: count(env, 'PANIC_STREAMS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.perAddress),
			perAddressAnonymous: count(env, 'PANIC_STREAMS_PER_ADDRESS_ANONYMOUS', DEFAULT_CONNECTION_LIMITS.perAddressAnonymous),
			perSession: count(env, 'PANIC_STREAMS_PER_SESSION', DEFAULT_CONNECTION_LIMITS.perSession),
			perNetwork: count(env, 'PANIC_STREAMS_PER_NETWORK', DEFAULT_CONNECTION_LIMITS.perNetwork),
			total: count(env, 'PANIC_STREAMS_MAX', DEFAULT_CONNECTION_LIMITS.total),
			fdReserve: count(env, 'PANIC_FD_RESERVE', undefined),
			maxSockets: count(env, 'PANIC_MAX_SOCKETS', undefined)
		},
		headersTimeoutMs: count(env, 'PANIC_HEADERS_TIMEOUT_MS', 10_000),
		requestTimeoutMs: count(env, 'PANIC_REQUEST_TIMEOUT_MS', 300_000),
		listenBacklog: count(env, 'PANIC_LISTEN_BACKLOG', 4096)
	};
}

/** A positive whole number from the environment; a typo stops the start with a clear message. */
function count<T extends number | undefined>(env: Record<string, string | undefined>, name: string, fallback: T): number | T {
	const text = env[name]?.trim();
	if (!text) return fallback;
	if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a positive whole number (it is "${text}").`);
	return Number(text);
}
