import { availableParallelism } from 'node:os';
import path from 'node:path';
import { frameAncestorsFromEnv } from './http/security-headers';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionSettings } from './http/connection-admission';
import { parseTrustedProxies, type TrustedProxies } from './http/client-address';
import { DEFAULT_HISTORY_COMPACTION } from './sync/history-compaction';

/**
 * Everything PANIC reads from its environment, in one place. Domain modules take a Config
 * (or the part they need) instead of reading process.env, so tests can build their own.
 */
export interface Config {
	/** Postgres connection string; absent means the embedded PGlite database. */
	databaseUrl?: string;
	/**
	 * Redis (REDIS_URL): with DATABASE_URL it switches on cluster mode, N identical processes
	 * behind a load balancer (server/cluster/cluster.ts). Absent: the single process.
	 */
	redisUrl?: string;
	/** Prefix of every Redis key, stream and channel (PANIC_REDIS_PREFIX, default `panic`), so deployments can share a Redis. */
	redisPrefix: string;
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
	/** Test-only: dummy models the dummy platform's availability check refuses, `id:reason;…` (PANIC_DUMMY_UNAVAILABLE). */
	dummyUnavailable?: string;
	// —— Live availability (issue 12) ——
	/** Providers' answers about which models a key reaches are asked again after this long (PANIC_AVAILABILITY_MAX_AGE_HOURS, default 24). */
	availabilityMaxAgeMs: number;
	/** "Check now" per user and platform at most once in this long; key saves wait as long (PANIC_AVAILABILITY_CHECK_EVERY_SECONDS, default 60). */
	availabilityCheckEveryMs: number;

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
	// —— Streams and sockets (issue 11, findings 2–3): caps on long-lived connections, header timeouts ——
	/** Caps on SSE feed streams and sync sockets together (server/http/connection-admission.ts). */
	connections: ConnectionSettings;
	/** Time a client has to send its request (or WebSocket upgrade) headers before the socket is cut. */
	headersTimeoutMs: number;
	/** Time a client has to send a whole request, body included (run-export uploads are the slowest). */
	requestTimeoutMs: number;
	/** Connections the kernel may queue for the server to accept (capped by net.core.somaxconn). */
	listenBacklog: number;
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
	/** A graph doc's history is compacted (server/sync/history-compaction.ts) past this many structs and 4× its live structs. */
	graphHistoryCompactStructs: number;
	/** …once nobody has changed it for this long. */
	graphHistoryCompactQuietMs: number;
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
	/**
	 * Cluster mode: how long a run's lease lasts without renewal (ms). A dead or frozen holder's
	 * run is taken over by another process within about 1.5× this.
	 */
	runLeaseMs: number;
	/** Built-in models' steps (the call and its database writes) and output fingerprints at once, across every run. */
	stepsAtOnce: number;
	/** Least milliseconds between a hosted model's step and the step before it, whatever a network's pacing. */
	hostedStepMinMs: number;
	// —— Joining at a venue (issue 14) ——
	/** Wrong join codes one address may try per minute (typed at /j or in a link) before it must wait (429). */
	codeGuessesPerAddressPerMinute: number;
	/**
	 * Addresses offered for the join link instead of this machine's interfaces
	 * (PANIC_NETWORK_ADDRESSES, comma-separated): tests, or a container whose own interfaces
	 * are not the ones phones reach. Unset: os.networkInterfaces().
	 */
	networkAddresses?: string[];
	/**
	 * Peers whose ADDRESS_HEADER is believed (PANIC_TRUSTED_PROXIES: addresses or CIDR ranges, e.g.
	 * HAProxy's); anyone else's header is replaced by their own address. Unset: believed from anyone.
	 */
	trustedProxies: TrustedProxies;
	// —— Network history (issue 17) ——
	/** Quiet milliseconds after the last edit of a graph before an automatic version is taken. */
	historySettleMs: number;
	/** Automatic versions kept per network; named, run and before-restore versions always stay. */
	historyKeepAutomatic: number;
}

export function configFromEnv(env: Record<string, string | undefined> = process.env): Config {
	checkClusterEnv(env);
	return {
		databaseUrl: env.DATABASE_URL || undefined,
		redisUrl: env.REDIS_URL || undefined,
		redisPrefix: env.PANIC_REDIS_PREFIX?.trim() || 'panic',
		dataDir: path.resolve(env.PANIC_DATA_DIR || 'data'),
		secretKey: env.PANIC_SECRET_KEY || undefined,
		origin: env.ORIGIN || undefined,
		replicateBaseUrl: env.REPLICATE_BASE_URL || undefined,
		openaiBaseUrl: env.OPENAI_BASE_URL || undefined,
		hfBaseUrl: env.HF_BASE_URL || undefined,
		vestaboardBaseUrl: env.VESTABOARD_BASE_URL || undefined,
		maxJsonBytes: 1024 * 1024,
		dummyModels: env.PANIC_DUMMY_MODELS === '1',
		dummyUnavailable: env.PANIC_DUMMY_MODELS === '1' ? env.PANIC_DUMMY_UNAVAILABLE || undefined : undefined,
		availabilityMaxAgeMs: intFromEnv(env, 'PANIC_AVAILABILITY_MAX_AGE_HOURS', 24) * 60 * 60 * 1000,
		availabilityCheckEveryMs: intFromEnv(env, 'PANIC_AVAILABILITY_CHECK_EVERY_SECONDS', 60) * 1000,

		// Untrusted bytes in (issue 11, findings 1 and 5).
		outputHosts: (env.PANIC_OUTPUT_HOSTS ?? '').split(/[\s,]+/).filter(Boolean),
		importMaxExpandedBytes: intFromEnv(env, 'PANIC_IMPORT_MAX_EXPANDED_MB', 512) * 1024 * 1024,
		importMaxRatio: intFromEnv(env, 'PANIC_IMPORT_MAX_RATIO', 600),
		importsAtOnce: intFromEnv(env, 'PANIC_IMPORTS_AT_ONCE', 2),
		// --- The HTTP edge (issue 11) ---
		loginFailuresPerAccountClient: intFromEnv(env, 'LOGIN_FAILURES_PER_ACCOUNT_CLIENT', 5),
		loginFailuresPerClient: intFromEnv(env, 'LOGIN_FAILURES_PER_CLIENT', 50),
		loginWindowMs: intFromEnv(env, 'LOGIN_WINDOW_SECONDS', 15 * 60) * 1000,
		loginMaxDelayMs: intFromEnv(env, 'LOGIN_MAX_DELAY_MS', 3000, 0),
		signupsPerAddress: intFromEnv(env, 'SIGNUPS_PER_ADDRESS', 30),
		signupWindowMs: intFromEnv(env, 'SIGNUP_WINDOW_SECONDS', 10 * 60) * 1000,
		passwordHashConcurrency: intFromEnv(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, Math.floor(availableParallelism() / 2))),
		kioskFrameAncestors: frameAncestorsFromEnv(env.KIOSK_FRAME_ANCESTORS),
		// —— Streams and sockets (issue 11, findings 2–3) ——
		connections: {
			perAddress: intFromEnv(env, 'PANIC_STREAMS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.perAddress),
			perAddressAnonymous: intFromEnv(env, 'PANIC_STREAMS_PER_ADDRESS_ANONYMOUS', DEFAULT_CONNECTION_LIMITS.perAddressAnonymous),
			perSession: intFromEnv(env, 'PANIC_STREAMS_PER_SESSION', DEFAULT_CONNECTION_LIMITS.perSession),
			perNetwork: intFromEnv(env, 'PANIC_STREAMS_PER_NETWORK', DEFAULT_CONNECTION_LIMITS.perNetwork),
			total: intFromEnv(env, 'PANIC_STREAMS_MAX', DEFAULT_CONNECTION_LIMITS.total),
			fdReserve: intFromEnv(env, 'PANIC_FD_RESERVE', undefined),
			maxSockets: intFromEnv(env, 'PANIC_MAX_SOCKETS', undefined)
		},
		headersTimeoutMs: intFromEnv(env, 'PANIC_HEADERS_TIMEOUT_MS', 10_000),
		requestTimeoutMs: intFromEnv(env, 'PANIC_REQUEST_TIMEOUT_MS', 300_000),
		listenBacklog: intFromEnv(env, 'PANIC_LISTEN_BACKLOG', 4096),
		// Sync rooms (issue 11, findings 7 and 8)
		syncMaxDocBytes: intFromEnv(env, 'PANIC_SYNC_MAX_DOC_BYTES', 8 * 1024 * 1024),
		syncMaxPendingBytes: intFromEnv(env, 'PANIC_SYNC_MAX_PENDING_BYTES', 1024 * 1024),
		presenceMaxStateBytes: intFromEnv(env, 'PANIC_PRESENCE_MAX_STATE_BYTES', 4096),
		presenceMaxClientsPerSession: intFromEnv(env, 'PANIC_PRESENCE_MAX_CLIENTS_PER_SESSION', 4),
		syncRefusedCooldownMs: intFromEnv(env, 'PANIC_SYNC_REFUSED_COOLDOWN_MS', 5000),
		// About 0.2 MB of history per 500 structs, the room's doc and its gate's shadow together.
		graphHistoryCompactStructs: intFromEnv(env, 'PANIC_GRAPH_HISTORY_COMPACT_STRUCTS', DEFAULT_HISTORY_COMPACTION.minStructs, 1),
		graphHistoryCompactQuietMs: intFromEnv(env, 'PANIC_GRAPH_HISTORY_COMPACT_QUIET_MS', DEFAULT_HISTORY_COMPACTION.quietMs, 0),
		// Capacity: audience joins and runs (issue 11, findings 9 and 10). A venue's 500 phones
		// share one address and all get in at once; after that burst one address joins 120 a
		// minute, so it cannot mint sessions without end. Joins, prompts and built-in models'
		// steps take turns two at a time, so a crowd or a loop never queues more than a few tasks'
		// work ahead of anyone else's request. Four runs per owner and sixteen in all keep one
		// account from taking the server; hosted models step at most once a second.
		joinBurstPerAddress: intFromEnv(env, 'PANIC_JOIN_BURST_PER_ADDRESS', 600),
		joinsPerAddressPerMinute: intFromEnv(env, 'PANIC_JOINS_PER_ADDRESS_PER_MINUTE', 120),
		audienceAtOnce: intFromEnv(env, 'PANIC_AUDIENCE_AT_ONCE', 2),
		audienceWaiting: intFromEnv(env, 'PANIC_AUDIENCE_WAITING', 5000),
		runsPerOwner: intFromEnv(env, 'PANIC_RUNS_PER_OWNER', 4),
		runsTotal: intFromEnv(env, 'PANIC_RUNS_TOTAL', 16),
		// Renewed every quarter of it: 4 s rides out event-loop stalls of a busy process and
		// still hands a dead holder's run on within the 10 s the design asks.
		runLeaseMs: intFromEnv(env, 'PANIC_RUN_LEASE_MS', 4000, 200),
		stepsAtOnce: intFromEnv(env, 'PANIC_STEPS_AT_ONCE', 2),
		hostedStepMinMs: intFromEnv(env, 'PANIC_HOSTED_STEP_MIN_MS', 1000, 0),
		// Joining at a venue (issue 14): a room mistyping codes makes a few wrong tries a minute
		// behind its one address; a script guessing codes makes thousands.
		codeGuessesPerAddressPerMinute: intFromEnv(env, 'PANIC_CODE_GUESSES_PER_ADDRESS_PER_MINUTE', 30),
		networkAddresses: env.PANIC_NETWORK_ADDRESSES?.trim() ? env.PANIC_NETWORK_ADDRESSES.split(/[\s,]+/).filter(Boolean) : undefined,
		trustedProxies: parseTrustedProxies(env.PANIC_TRUSTED_PROXIES),
		// A workshop's burst of editing, not each keystroke: a version 2.5 minutes after the last change.
		historySettleMs: intFromEnv(env, 'PANIC_HISTORY_SETTLE_MS', 150_000, 0),
		historyKeepAutomatic: intFromEnv(env, 'PANIC_HISTORY_KEEP_AUTOMATIC', 100, 1)
	};
}

/**
 * Cluster mode needs all three: processes share the database, Redis, and the key that
 * encrypts provider keys and signs devices (a key generated per process would lock the others out).
 */
function checkClusterEnv(env: Record<string, string | undefined>) {
	if (!env.REDIS_URL) return;
	if (!env.DATABASE_URL) throw new Error('REDIS_URL is set but DATABASE_URL is not: cluster mode runs on PostgreSQL. Set both, or neither for the single process.');
	if (!env.PANIC_SECRET_KEY) throw new Error('Cluster mode (REDIS_URL) needs PANIC_SECRET_KEY, the same on every process.');
}

/** A whole number ≥ `min` from the environment, or the default; anything else stops start-up with a clear message. */
function intFromEnv<T extends number | undefined>(env: Record<string, string | undefined>, name: string, fallback: T, min = 1): number | T {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}").`);
	return value;
}
