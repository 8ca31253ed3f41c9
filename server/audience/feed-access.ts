import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';
import type { PublicUser } from '../auth/sessions';
import type { AuthorizeResult } from '../sync/upgrade';
import { forbidden, unauthorized } from '../errors';
import type { Networks } from '../networks/networks';
import type { FeedViewer } from './feed-stream';
import { AUDIENCE_COOKIE, type AudienceSession, type ValidatedAudience } from './sessions';

/** Everything a feed request may carry to prove who it is for. */
export interface FeedCredentials {
	user: PublicUser | null;
	/** The login session `user` came with, so logging out can end the streams it opened. */
	session?: { id: string } | null;
	audience: AudienceSession | null;
	/** A kiosk screen (an installation's token, resolved by the caller): shows its own network's feed. */
	kiosk?: { screenId: string; networkId: string } | null;
}

export const REMOVED_MESSAGE = 'You were removed from this event.';

/** The principal (and connection key) an audience session's sync sockets and streams carry. */
export const audiencePrincipal = (sessionId: string) => `audience:${sessionId}`;

/**
 * Who may read a network's live feed: anyone who may see the network (a member session, or
 * anyone for public and unlisted networks), an audience session of that network, or a kiosk
 * screen of one of its installations. The viewer it returns says what the access rests on,
 * so that taking that away (removal, going private, logout, a deleted screen) can end the
 * stream. Extend this function, not the route, when a new kind of viewer appears.
 */
export async function authorizeFeed(networks: Networks, networkId: string, credentials: FeedCredentials): Promise<FeedViewer> {
	const { user, session, audience, kiosk } = credentials;
	if (kiosk) {
		if (kiosk.networkId === networkId) return { kind: 'kiosk', id: kiosk.screenId };
		throw forbidden('This display link belongs to another network.');
	}
	const forThisNetwork = audience?.networkId === networkId ? audience : null;
	if (forThisNetwork && !forThisNetwork.revoked) return { kind: 'audience', sessionId: forThisNetwork.id };
	try {
		const { throughVisibility } = await networks.access(networkId, user);
		if (!user) return { kind: 'public' };
		const login = { userId: user.id, loginSession: session?.id };
		return throughVisibility ? { kind: 'public', ...login } : { kind: 'member', ...login };
	} catch (error) {
		if (forThisNetwork?.revoked) throw forbidden(REMOVED_MESSAGE);
		if (!user) throw unauthorized('Join with the code on the screen, or log in.');
		throw error;
	}
}

/**
 * The session a feed request counts under for connection caps, decided from its credentials
 * the way `authorizeFeed` picks them (kiosk, then this network's audience session, then the
 * login session), before any database work; null for none. The keys match the sync
 * upgrade's, so a session's streams and sockets are counted together.
 */
export function feedConnectionKey(networkId: string, { user, session, audience, kiosk }: FeedCredentials): string | null {
	if (kiosk) return `kiosk:${kiosk.screenId}`;
	if (audience?.networkId === networkId) return audiencePrincipal(audience.id);
	if (session) return session.id;
	return user ? `user:${user.id}` : null;
}

/** Any sync authorizer's shape (server/sync/upgrade.ts `Authorize`). */
type SyncAuthorize = (req: IncomingMessage, room: string) => Promise<AuthorizeResult>;

/**
 * Lets audience sessions read their network's feed room over y-websocket (DESIGN: "session
 * cookie or audience cookie" at the upgrade): read-only, no presence, `<id>/feed` and nothing
 * else. Member sessions are asked first, so a member who also joined as audience keeps their role.
 */
export function withAudienceFeed(
	authorize: SyncAuthorize,
	sessions: { validate(token: string): Promise<ValidatedAudience | null> }
): SyncAuthorize {
	return async (req, room) => {
		const grant = await authorize(req, room);
		if (grant.ok) return grant;
		const token = parse(req.headers.cookie ?? '')[AUDIENCE_COOKIE];
		const [networkId, channel, ...rest] = room.split('/');
		if (!token || channel !== 'feed' || rest.length) return grant;
		const found = await sessions.validate(token);
		if (!found || found.session.networkId !== networkId) return grant;
		if (found.session.revoked) return { ok: false, status: 403, message: REMOVED_MESSAGE };
		const principal = audiencePrincipal(found.session.id);
		return { ok: true, readOnly: true, awareness: false, sessionKey: principal, principal };
	};
}
