import type { SyncSession } from './room';

/**
 * Which sessions an access change closes, as plain data rather than a closure: in cluster
 * mode it is published to every process (server/cluster/bus.ts) and matched there against
 * that process's sessions. Every condition given must hold; `{}` matches every session.
 */
export interface SessionMatch {
	/** Sessions acting for this user (a member removed or whose role changed). */
	principal?: string;
	/** Sessions acting for one of these users (editors when a canvas is locked, removed audience sessions). */
	principals?: string[];
	/** Everyone but this user, anonymous readers included (the owner when a network goes private). */
	exceptPrincipal?: string;
	/** Sessions whose principal starts with this (every audience session: `audience:`). */
	principalPrefix?: string;
	/** Sessions granted through this login (or audience) session (a logout). */
	sessionKey?: string;
}

export function sessionMatches(match: SessionMatch, session: Pick<SyncSession, 'principal' | 'sessionKey'>): boolean {
	const { principal, sessionKey } = session;
	if (match.principal !== undefined && principal !== match.principal) return false;
	if (match.principals !== undefined && !(principal !== undefined && match.principals.includes(principal))) return false;
	if (match.exceptPrincipal !== undefined && principal === match.exceptPrincipal) return false;
	if (match.principalPrefix !== undefined && !principal?.startsWith(match.principalPrefix)) return false;
	if (match.sessionKey !== undefined && sessionKey !== match.sessionKey) return false;
	return true;
}
