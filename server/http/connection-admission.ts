import { LIMITS_UNAVAILABLE_MESSAGE, LIMITS_UNAVAILABLE_RETRY_SECONDS } from '../cluster/counters';
import { defaultDescriptorReserve, descriptorCeiling } from './descriptor-limit';

/**
 * Admission for long-lived connections: SSE feed streams and sync sockets alike, since each
 * holds a file descriptor and some memory for as long as the client likes. Every one is
 * counted per client address, per session, per network and for the whole process, and one
 * more than a count allows is refused before anything is allocated for it.
 *
 * A venue puts hundreds of phones behind one address, so the address is a coarse key: the
 * per-address cap is high, and what keeps one client from crowding others out is the
 * per-session cap (sessions are what people hold; a script has to mint one for every few
 * connections). Connections without any session (anyone reading a public network) have a
 * much lower per-address cap of their own. The process-wide cap is the last line: it sits
 * below the descriptor limit with a reserve, so the database, files and ordinary requests
 * (page loads, /api/health) keep working when every stream slot is taken.
 */
export interface ConnectionLimits {
	/** Connections from one client address (IPv6: one /64), with or without a session. */
	perAddress: number;
	/** Of those, connections that carry no session at all. */
	perAddressAnonymous: number;
	/** Per login session, audience session or kiosk screen. */
	perSession: number;
	/** Per network: its feed streams and its rooms' sockets together. */
	perNetwork: number;
	/** The whole process (already lowered to what the descriptors allow). */
	total: number;
}

/** What the connection settings of Config say, before the descriptor limit is applied. */
export interface ConnectionSettings extends ConnectionLimits {
	/** Descriptors kept free of long-lived connections (default: a quarter of the limit, at least 256). */
	fdReserve?: number;
	/** Sockets the HTTP server accepts at most (default: the descriptor limit less 128). */
	maxSockets?: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
	// 500 phones with a second tab or an overlapping reconnect each, and room to spare.
	perAddress: 2000,
	perAddressAnonymous: 64,
	// A member's tabs: each canvas holds two sockets (graph and feed), plus consoles and displays.
	perSession: 32,
	perNetwork: 5000,
	// ~19 KB per open stream: 10,000 is ~200 MB, well within a small server.
	total: 10_000
};

/** Who is asking for a connection, as the counts see it. */
export interface ConnectionClaim {
	/** `addressKey()` of the client. */
	address: string;
	/** The login session id, `audience:<id>` or `kiosk:<screen id>`; null for none. */
	session: string | null;
	network: string;
}

/** `unavailable`: in a cluster, the shared counts (Redis) could not be reached. */
export type ConnectionLimitName = 'session' | 'anonymous' | 'address' | 'network' | 'total' | 'unavailable';

export interface ConnectionRefusal {
	limit: ConnectionLimitName;
	/** 429: this client is over its share; 503: the network or the process is full. */
	status: 429 | 503;
	message: string;
	retryAfterSeconds: number;
}

export type Admission = { ok: true; release(): void } | ({ ok: false } & ConnectionRefusal);

/**
 * Admits long-lived connections: in memory for the single process (ConnectionAdmission), or
 * counted across every process of a cluster (cluster/counters-connections.ts). Callers await
 * `admit`; the in-memory one answers at once.
 */
export interface ConnectionGate {
	readonly limits: ConnectionLimits;
	/** Counts the connection in, or says which limit refuses it. Release exactly when it ends (idempotent). */
	admit(claim: ConnectionClaim): Admission | Promise<Admission>;
	/** Connections open in this process. */
	readonly open: number;
	close?(): Promise<void>;
}

/** What is open now for the claim's address, session and network, and overall. */
export interface ConnectionCounts {
	session: number;
	anonymous: number;
	address: number;
	network: number;
	total: number;
}

const REFUSALS: Record<ConnectionLimitName, Omit<ConnectionRefusal, 'limit'>> = {
	session: {
		status: 429,
		message: 'Too many live connections for this session. Close a few tabs or windows, then try again.',
		retryAfterSeconds: 5
	},
	anonymous: {
		status: 429,
		message: 'Too many live feeds are open from your address without joining. Join with the code on the screen (or log in), then try again.',
		retryAfterSeconds: 5
	},
	address: {
		status: 429,
		message: 'Too many live connections from your address. Close a few, then try again shortly.',
		retryAfterSeconds: 5
	},
	network: {
		status: 503,
		message: 'This network has as many live viewers as it can take right now. Try again in a little while.',
		retryAfterSeconds: 15
	},
	total: {
		status: 503,
		message: 'The server has as many live connections as it can take right now. Try again in a little while.',
		retryAfterSeconds: 15
	},
	unavailable: {
		status: 503,
		message: LIMITS_UNAVAILABLE_MESSAGE,
		retryAfterSeconds: LIMITS_UNAVAILABLE_RETRY_SECONDS
	}
};

/** The refusal for one limit, as the client is told it. */
export function refusalOf(limit: ConnectionLimitName): ConnectionRefusal {
	return { limit, ...REFUSALS[limit] };
}

/**
 * Which limit one more connection would break, or null. A client's own share is checked
 * first, so whoever is crowding the process is told so (429) before anyone is told it is full.
 */
export function connectionRefusal(counts: ConnectionCounts, limits: ConnectionLimits, anonymous: boolean): ConnectionRefusal | null {
	const over = refusalOf;
	if (!anonymous && counts.session >= limits.perSession) return over('session');
	if (anonymous && counts.anonymous >= limits.perAddressAnonymous) return over('anonymous');
	if (counts.address >= limits.perAddress) return over('address');
	if (counts.network >= limits.perNetwork) return over('network');
	if (counts.total >= limits.total) return over('total');
	return null;
}

export interface ResolvedConnectionLimits {
	limits: ConnectionLimits;
	maxSockets: number;
	descriptorCeiling: number;
	openFilesLimit: number | null;
	fdReserve: number | null;
}

/** The limits in force: the settings, with the process-wide cap lowered to the descriptor ceiling. */
export function resolveConnectionLimits(
	settings: ConnectionSettings,
	openFilesLimit: number | null
): ResolvedConnectionLimits {
	const fdReserve = openFilesLimit === null ? null : (settings.fdReserve ?? defaultDescriptorReserve(openFilesLimit));
	const ceiling = descriptorCeiling(openFilesLimit, fdReserve ?? undefined);
	// A few descriptors beyond every socket, so the database and files never meet EMFILE.
	const maxSockets = settings.maxSockets ?? (openFilesLimit === null ? Infinity : Math.max(1, openFilesLimit - 128));
	const { perAddress, perAddressAnonymous, perSession, perNetwork, total } = settings;
	return {
		limits: { perAddress, perAddressAnonymous, perSession, perNetwork, total: Math.min(total, ceiling) },
		maxSockets,
		descriptorCeiling: ceiling,
		openFilesLimit,
		fdReserve
	};
}

/** One line for the server's log, so an operator sees the caps in force and where they come from. */
export function describeConnectionLimits({ limits, openFilesLimit, fdReserve }: ResolvedConnectionLimits): string {
	return (
		`live connections: at most ${limits.total} (descriptor limit ${openFilesLimit ?? 'unknown'}, ${fdReserve ?? 0} kept free), ` +
		`${limits.perAddress} per address (${limits.perAddressAnonymous} without a session), ${limits.perSession} per session, ${limits.perNetwork} per network`
	);
}

export class ConnectionAdmission implements ConnectionGate {
	private byAddress = new Map<string, number>();
	private anonymousByAddress = new Map<string, number>();
	private bySession = new Map<string, number>();
	private byNetwork = new Map<string, number>();
	private total = 0;

	constructor(readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS) {}

	/** Counts the connection in, or says which limit refuses it. Release exactly when it ends (idempotent). */
	admit(claim: ConnectionClaim): Admission {
		const anonymous = claim.session === null;
		const refusal = connectionRefusal(this.counts(claim), this.limits, anonymous);
		if (refusal) return { ok: false, ...refusal };
		bump(this.byAddress, claim.address, 1);
		if (anonymous) bump(this.anonymousByAddress, claim.address, 1);
		else bump(this.bySession, claim.session!, 1);
		bump(this.byNetwork, claim.network, 1);
		this.total++;
		let released = false;
		return {
			ok: true,
			release: () => {
				if (released) return;
				released = true;
				bump(this.byAddress, claim.address, -1);
				if (anonymous) bump(this.anonymousByAddress, claim.address, -1);
				else bump(this.bySession, claim.session!, -1);
				bump(this.byNetwork, claim.network, -1);
				this.total--;
			}
		};
	}

	counts(claim: ConnectionClaim): ConnectionCounts {
		return {
			session: claim.session === null ? 0 : (this.bySession.get(claim.session) ?? 0),
			anonymous: this.anonymousByAddress.get(claim.address) ?? 0,
			address: this.byAddress.get(claim.address) ?? 0,
			network: this.byNetwork.get(claim.network) ?? 0,
			total: this.total
		};
	}

	/** Connections open in the whole process. */
	get open(): number {
		return this.total;
	}
}

/** Adds `by` to a count, forgetting keys that reach zero so the maps only hold what is open. */
function bump(counts: Map<string, number>, key: string, by: number) {
	const next = (counts.get(key) ?? 0) + by;
	if (next > 0) counts.set(key, next);
	else counts.delete(key);
}
