import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';
import { AUDIENCE_COOKIE } from '../audience/sessions';
import { SESSION_COOKIE } from '../auth/session-token';
import type { Authorize } from '../sync/upgrade';
import type { Viewer } from './access';
import {
	authorizeRoom,
	connectionKey,
	KIOSK_GONE_MESSAGE,
	NO_SUCH_ROOM,
	parseRoom,
	principalFor,
	principalId,
	type Credentials,
	type StandingSource
} from './room-access';

/** Where the upgrade looks credentials up: the login sessions, the audience sessions and the installations' kiosk screens. */
export interface SyncCredentialStores {
	sessions: { validate(token: string): Promise<{ user: Viewer; session: { id: string } } | null> };
	audience: { validate(token: string): Promise<{ session: { id: string; networkId: string; revoked: boolean } } | null> };
	kiosks: { kiosk(token: string): Promise<{ id: string; networkId: string } | null> };
	networks: StandingSource;
}

/**
 * The sync upgrade's side of the access policy (`room-access.ts`): the request's cookies
 * (`panic_session`, `panic_audience`) and a `?kiosk=<token>` query (a display machine has no
 * cookie) become credentials; the policy decides. Only what the room can use is looked up.
 */
export function syncAuthorizer({ sessions, audience, kiosks, networks }: SyncCredentialStores): Authorize {
	return async (req, name) => {
		const room = parseRoom(name);
		if (!room) return { ok: false, status: 404, message: NO_SUCH_ROOM };
		const credentials = await syncCredentials(req, room.kind === 'feed', { sessions, audience, kiosks });
		if (!credentials) return { ok: false, status: 404, message: KIOSK_GONE_MESSAGE };
		const principal = principalFor(room, credentials);
		const decision = await authorizeRoom(networks, room, principal);
		if (!decision.ok) return decision;
		return {
			ok: true,
			readOnly: !decision.write,
			awareness: decision.presence,
			sessionKey: connectionKey(principal),
			principal: principalId(principal)
		};
	};
}

/** The request's credentials; null when it names a kiosk token that no screen has. */
async function syncCredentials(
	req: IncomingMessage,
	wantsAudience: boolean,
	stores: Omit<SyncCredentialStores, 'networks'>
): Promise<Credentials | null> {
	const kioskToken = new URL(req.url ?? '/', 'http://sync.invalid').searchParams.get('kiosk');
	if (kioskToken !== null) {
		const screen = await stores.kiosks.kiosk(kioskToken);
		return screen && { user: null, audience: null, kiosk: { screenId: screen.id, networkId: screen.networkId } };
	}
	const cookies = parse(req.headers.cookie ?? '');
	const login = cookies[SESSION_COOKIE] ? await stores.sessions.validate(cookies[SESSION_COOKIE]) : null;
	const audience = wantsAudience && cookies[AUDIENCE_COOKIE] ? await stores.audience.validate(cookies[AUDIENCE_COOKIE]) : null;
	return { user: login?.user ?? null, session: login?.session ?? null, audience: audience?.session ?? null };
}
