import { AppError } from '../errors';
import { canEdit, canEditGraph, type NetworkRole, type Viewer } from './access';

/**
 * One access policy for a network's live rooms, whichever transport asks: the sync upgrade
 * (y-websocket, `server/networks/sync-access.ts`) and the SSE feed (`Audience.openFeed`) both
 * turn what a request carries (cookies, a kiosk token) into `Credentials`, pick one `Principal`
 * for the room, and ask `decide`. It lives in `networks` beside the role table (`access.ts`)
 * because a room is a network's and its rules are the role table's; the other principals
 * (audience sessions, kiosk screens) appear here only by the few fields the decision reads,
 * so this module imports nothing from `audience` or `displays`.
 *
 * Rooms: `<id>` (the graph) and `<id>/feed` (cards and run state, written only by the server).
 *
 * Who opens what (decided deliberately; README "Security" says the same):
 * - owner and editors write the graph room and share presence; while the canvas is locked
 *   editors read it (still present) and only the owner writes. Viewers, site admins and
 *   anyone in through visibility read it without presence.
 * - anyone who may see the network reads its feed room, read-only, no presence.
 * - anonymous (no login): public and unlisted networks only, both rooms, read-only, no
 *   presence: what they may already see over HTTP. A private network asks them to log in (401).
 * - a logged-in stranger: the same for public and unlisted; a private network is not found (404).
 * - an audience session reads its own network's feed room and nothing more of its own; for
 *   anything else the phone counts as whoever else it is (logged in or anonymous), so an
 *   audience phone reads a public network's graph as anyone may. A removed audience session
 *   that has no other way in is told so (403).
 * - a kiosk token (an installation's screen, passed as `?kiosk=<token>` on both transports)
 *   reads its own network's feed room and nothing else, whatever the network's visibility;
 *   when a token is given it is the only credential looked at, as a display machine has no other.
 *
 * Readers still receive the room's presence (who else is editing): that is the room's, not
 * the policy's; `presence` here is whether a connection's own presence is relayed.
 */

export type RoomKind = 'graph' | 'feed';

export interface Room {
	/** As the transports name it: `<networkId>` or `<networkId>/feed`. */
	name: string;
	networkId: string;
	kind: RoomKind;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** A room name → the room, or null for any other shape (the transports answer 404). */
export function parseRoom(name: string): Room | null {
	const [networkId, channel, ...rest] = name.split('/');
	if (rest.length || !SEGMENT.test(networkId)) return null;
	if (channel === undefined) return { name, networkId, kind: 'graph' };
	return channel === 'feed' ? { name, networkId, kind: 'feed' } : null;
}

export const feedRoomOf = (networkId: string): Room => ({ name: `${networkId}/feed`, networkId, kind: 'feed' });

/** Everything a request may carry to prove who it is, resolved by its transport. */
export interface Credentials {
	user: Viewer | null;
	/** The login session `user` came with, so logging out can end what it opened. */
	session?: { id: string } | null;
	/** An audience session (the `panic_audience` cookie), of whichever network. */
	audience: { id: string; networkId: string; revoked: boolean } | null;
	/** A kiosk screen, its token already resolved: shows its own network's feed. */
	kiosk?: { screenId: string; networkId: string } | null;
}

export type Principal =
	| { kind: 'user'; user: Viewer; loginSession: string | null; removedFromAudience: boolean }
	| { kind: 'audience'; sessionId: string }
	| { kind: 'kiosk'; screenId: string; networkId: string }
	| { kind: 'anonymous'; removedFromAudience: boolean };

/**
 * The one principal a connection to `room` is made as, from its credentials and nothing
 * else (no database), so both transports can count the connection before authorising it:
 * a kiosk token; else, for the feed room, a live audience session of that network; else the
 * logged-in user; else anonymous.
 */
export function principalFor(room: Room, { user, session, audience, kiosk }: Credentials): Principal {
	if (kiosk) return { kind: 'kiosk', screenId: kiosk.screenId, networkId: kiosk.networkId };
	const ofThisNetwork = room.kind === 'feed' && audience?.networkId === room.networkId ? audience : null;
	if (ofThisNetwork && !ofThisNetwork.revoked) return { kind: 'audience', sessionId: ofThisNetwork.id };
	const removedFromAudience = !!ofThisNetwork?.revoked;
	if (user) return { kind: 'user', user, loginSession: session?.id ?? null, removedFromAudience };
	return { kind: 'anonymous', removedFromAudience };
}

/** The principal an audience session's sync sockets carry (ending the event or removing them finds them by it). */
export const audiencePrincipal = (sessionId: string) => `audience:${sessionId}`;
export const kioskPrincipal = (screenId: string) => `kiosk:${screenId}`;

/**
 * Who a connection acts for, as sync sessions carry it (`SyncSession.principal`): a user id
 * (removal from a network finds their sockets by it), `audience:<id>`, `kiosk:<id>`; none for anonymous.
 */
export function principalId(p: Principal): string | undefined {
	switch (p.kind) {
		case 'user':
			return p.user.id;
		case 'audience':
			return audiencePrincipal(p.sessionId);
		case 'kiosk':
			return kioskPrincipal(p.screenId);
		case 'anonymous':
			return undefined;
	}
}

/**
 * The session a connection counts under for connection caps, and that a logout ends: the
 * login session, the audience session or the kiosk screen; null for anonymous (counted per
 * address). The same for SSE streams and sync sockets, so a session's are counted together.
 */
export function connectionKey(p: Principal): string | null {
	switch (p.kind) {
		case 'user':
			return p.loginSession ?? `user:${p.user.id}`;
		case 'audience':
			return audiencePrincipal(p.sessionId);
		case 'kiosk':
			return kioskPrincipal(p.screenId);
		case 'anonymous':
			return null;
	}
}

/**
 * What a user (or anonymous) is to the network: its visibility and their role, as
 * `Networks.access` resolves them (`resolveRole`), and the lock; null for "may not see it".
 */
export interface NetworkStanding {
	role: NetworkRole;
	locked: boolean;
	/** Only because it is public or unlisted: going private takes it away. */
	throughVisibility: boolean;
}

/** What the access rests on, so that taking it away can end the connection. */
export type Basis = 'member' | 'visibility' | 'audience' | 'kiosk';

export type RoomDecision =
	| { ok: true; write: boolean; presence: boolean; basis: Basis }
	| { ok: false; status: 401 | 403 | 404; message: string };

export const REMOVED_MESSAGE = 'You were removed from this event.';
export const KIOSK_GONE_MESSAGE = 'This display link is no longer valid; ask for a new one.';
export const NO_SUCH_ROOM = 'No such room.';

/** Whether `decide` needs the network's standing for this principal (users and anonymous do). */
export const needsStanding = (p: Principal) => p.kind === 'user' || p.kind === 'anonymous';

/** The policy as one pure function (see the header for the table in words). */
export function decide(room: Room, principal: Principal, standing: NetworkStanding | null): RoomDecision {
	if (principal.kind === 'kiosk') {
		if (principal.networkId !== room.networkId) return { ok: false, status: 403, message: 'This display link belongs to another network.' };
		if (room.kind !== 'feed') return { ok: false, status: 403, message: 'A display link shows its network’s feed, nothing else.' };
		return { ok: true, write: false, presence: false, basis: 'kiosk' };
	}
	// principalFor only picks an audience session for its own network's feed room.
	if (principal.kind === 'audience') return { ok: true, write: false, presence: false, basis: 'audience' };
	if (!standing) {
		if (principal.removedFromAudience) return { ok: false, status: 403, message: REMOVED_MESSAGE };
		if (principal.kind === 'user') return { ok: false, status: 404, message: 'No such network, or it is private. Ask its owner for an invite link.' };
		const message = room.kind === 'feed' ? 'Join with the code on the screen, or log in.' : 'Log in to open this network.';
		return { ok: false, status: 401, message };
	}
	const basis: Basis = standing.throughVisibility ? 'visibility' : 'member';
	if (room.kind === 'feed') return { ok: true, write: false, presence: false, basis };
	return { ok: true, write: canEditGraph(standing.role, standing.locked), presence: canEdit(standing.role), basis };
}

/** The networks domain as the policy asks it. */
export interface StandingSource {
	access(
		networkId: string,
		viewer: Viewer | null
	): Promise<{ network: { locked: boolean }; role: NetworkRole; throughVisibility: boolean }>;
}

/** Asks the networks domain for the standing `decide` needs (only for users and anonymous), then decides. */
export async function authorizeRoom(networks: StandingSource, room: Room, principal: Principal): Promise<RoomDecision> {
	if (!needsStanding(principal)) return decide(room, principal, null);
	const viewer = principal.kind === 'user' ? principal.user : null;
	let standing: NetworkStanding | null = null;
	try {
		const { network, role, throughVisibility } = await networks.access(room.networkId, viewer);
		standing = { role, locked: network.locked, throughVisibility };
	} catch (error) {
		// Not found is the networks domain's "may not see it" (a private network looks absent).
		if (!(error instanceof AppError && error.status === 404)) throw error;
	}
	return decide(room, principal, standing);
}
