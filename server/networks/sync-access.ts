import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';
import { SESSION_COOKIE } from '../auth/session-token';
import type { SessionStore } from '../auth/sessions';
import { roomAccess } from './access';
import type { Networks } from './networks';

export type SyncGrant =
	| { ok: true; readOnly: boolean; awareness: boolean; sessionKey: string; principal: string }
	| { ok: false; status: 401 | 403 | 404; message: string };

/**
 * Who may join a sync room, decided at the HTTP upgrade from the session cookie. The graph
 * room `<id>` is writable by the owner and editors (whose presence is shared); viewers read
 * it, and so do editors while the canvas is locked (`roomAccess`). The feed room `<id>/feed`
 * is read-only for everyone: only the server writes cards.
 */
export function syncAuthorizer(sessions: SessionStore, networks: Networks) {
	return async (req: IncomingMessage, room: string): Promise<SyncGrant> => {
		const token = parse(req.headers.cookie ?? '')[SESSION_COOKIE];
		const found = token ? await sessions.validate(token) : null;
		if (!found) return { ok: false, status: 401, message: 'Log in to join this network.' };
		const [networkId, channel, ...rest] = room.split('/');
		if (rest.length || (channel !== undefined && channel !== 'feed')) {
			return { ok: false, status: 404, message: 'No such room.' };
		}
		try {
			const { network, role } = await networks.access(networkId, found.user);
			const { readOnly, awareness } = roomAccess(role, channel as 'feed' | undefined, network.locked);
			return { ok: true, readOnly, awareness, sessionKey: found.session.id, principal: found.user.id };
		} catch {
			return { ok: false, status: 404, message: 'No such network, or it is private.' };
		}
	};
}
