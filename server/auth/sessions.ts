import type { Db } from '../db/connect';
import type { User } from '../db/schema';
import { generateSessionToken, sessionIdFromToken } from './session-token';

const DAY = 24 * 60 * 60 * 1000;
/** Sessions last 30 days and slide: used within the last 15 days of life, they renew. */
export const SESSION_LIFETIME_MS = 30 * DAY;
const RENEW_WITHIN_MS = 15 * DAY;

export interface SessionInfo {
	id: string;
	userId: string;
	expiresAt: Date;
}

export type PublicUser = Pick<User, 'id' | 'email' | 'is_admin' | 'created_at' | 'display_name'>;

export interface ValidatedSession {
	session: SessionInfo;
	user: PublicUser;
	/** True when the expiry moved, so the cookie should be sent again. */
	renewed: boolean;
}

export class SessionStore {
	constructor(
		private db: Db,
		private now: () => number = Date.now
	) {}

	async create(userId: string): Promise<{ token: string; session: SessionInfo }> {
		const token = generateSessionToken();
		const session = { id: sessionIdFromToken(token), userId, expiresAt: new Date(this.now() + SESSION_LIFETIME_MS) };
		await this.db
			.insertInto('sessions')
			.values({ id: session.id, user_id: userId, expires_at: session.expiresAt })
			.execute();
		return { token, session };
	}

	/** Looks up the token's session; deletes it if expired; renews it if it is getting old. */
	async validate(token: string): Promise<ValidatedSession | null> {
		const id = sessionIdFromToken(token);
		const row = await this.db
			.selectFrom('sessions')
			.innerJoin('users', 'users.id', 'sessions.user_id')
			.select(['sessions.id', 'sessions.expires_at', 'users.id as user_id', 'users.email', 'users.is_admin', 'users.created_at', 'users.display_name'])
			.where('sessions.id', '=', id)
			.executeTakeFirst();
		if (!row) return null;
		const now = this.now();
		let expiresAt = new Date(row.expires_at);
		if (now >= expiresAt.getTime()) {
			await this.invalidate(id);
			return null;
		}
		let renewed = false;
		if (now >= expiresAt.getTime() - RENEW_WITHIN_MS) {
			expiresAt = new Date(now + SESSION_LIFETIME_MS);
			await this.db.updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
			renewed = true;
		}
		return {
			session: { id, userId: row.user_id, expiresAt },
			user: { id: row.user_id, email: row.email, is_admin: row.is_admin, created_at: row.created_at, display_name: row.display_name },
			renewed
		};
	}

	async invalidate(sessionId: string): Promise<void> {
		await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
	}

	async invalidateAllForUser(userId: string): Promise<void> {
		await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
	}

	/** Removes expired rows; cheap enough to run at start-up. */
	async sweepExpired(): Promise<void> {
		await this.db.deleteFrom('sessions').where('expires_at', '<=', new Date(this.now())).execute();
	}
}
