import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { generateSessionToken, sessionIdFromToken } from '../auth/session-token';
import { randomId } from '../ids';
import { OneAtATime } from '../one-at-a-time';
import { ArrivalClock } from '../arrival-clock';
import type { Networks } from '../networks/networks';

/**
 * Audience sessions: what a phone gets for scanning a join code. No account: a 160-bit
 * token in the `panic_audience` cookie (only its SHA-256 stored, as for member sessions),
 * bound to one network, named "guest 17" for the facilitator, 12 hours that slide on use.
 *
 * Two ways out, kept apart on purpose: `remove` revokes one person (they are refused with
 * "You were removed" until their session would have expired, even if they scan again), and
 * `expireAll` ends the event for everyone (their sessions simply end, so the same phones can
 * join the next event with a new code).
 */
export const AUDIENCE_COOKIE = 'panic_audience';
export const AUDIENCE_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** Seen-at and the sliding expiry are written at most this often per session, not per request. */
const TOUCH_EVERY_MS = 30_000;
/** Someone counts as present if they did anything in this window (or hold a feed stream open). */
export const PRESENT_WINDOW_MS = 2 * 60 * 1000;
/**
 * How long a validated session is remembered in memory. Every request a phone makes starts
 * with validating its cookie; a hall of phones (or a flood) would otherwise queue a query per
 * request. Removal and the end of the event forget at once; this only bounds how stale
 * anything else could be (another process's removal, were there one).
 */
const REMEMBER_MS = 5000;
const REMEMBER_AT_MOST = 20_000;

export interface AudienceSession {
	id: string;
	networkId: string;
	label: string;
	createdAt: Date;
	lastSeenAt: Date;
	expiresAt: Date;
	/** Removed by a facilitator: still recognised, so the person is told why they are refused. */
	revoked: boolean;
}

export interface ValidatedAudience {
	session: AudienceSession;
	/** True when the expiry moved, so the cookie should be sent again. */
	renewed: boolean;
}

export interface AudienceListing {
	id: string;
	label: string;
	createdAt: Date;
	lastSeenAt: Date;
	revoked: boolean;
	prompts: number;
}

export class AudienceSessions {
	/** Per network, label assignment in progress: joins are numbered one after another. */
	private labelling = new OneAtATime();
	/** Recently validated sessions by token hash, with when to look in the database again. */
	private remembered = new Map<string, { session: AudienceSession; until: number }>();
	/** Bumped by every removal: a lookup that started before one must not remember what it read. */
	private removals = 0;
	/** Join times in join order, so "newest first" matches the guest numbers. */
	private readonly arrivals: ArrivalClock;

	constructor(
		private db: Db,
		/** The network's row lock (Networks.withRowLock): joins on several processes take turns. */
		private lockNetwork: Networks['withRowLock'],
		private now: () => number = Date.now
	) {
		this.arrivals = new ArrivalClock(now);
	}

	/** A new session for `networkId`, joined through `joinCode`. */
	async create(networkId: string, joinCode: string | null): Promise<{ token: string; session: AudienceSession }> {
		const token = generateSessionToken();
		const id = randomId();
		const now = new Date(this.now());
		const expiresAt = new Date(now.getTime() + AUDIENCE_LIFETIME_MS);
		// The count and the insert run back to back per network, so 200 people joining at once
		// get 200 different numbers: one at a time in this process, and under the network's row
		// lock across processes. Join times follow the numbers, so newest first is by number.
		const { label, createdAt } = await this.labelling.run(networkId, () =>
			this.lockNetwork(networkId, async (tx) => {
				const { n, newest } = await tx
					.selectFrom('audience_sessions')
					.select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('created_at').as('newest')])
					.where('network_id', '=', networkId)
					.executeTakeFirstOrThrow();
				const label = `guest ${Number(n) + 1}`;
				const createdAt = this.arrivals.next(newest ? new Date(newest).getTime() : undefined);
				await tx
					.insertInto('audience_sessions')
					.values({
						id,
						token_hash: sessionIdFromToken(token),
						network_id: networkId,
						join_code: joinCode,
						label,
						created_at: createdAt,
						last_seen_at: createdAt,
						expires_at: expiresAt
					})
					.execute();
				return { label, createdAt };
			})
		);
		const session: AudienceSession = { id, networkId, label, createdAt, lastSeenAt: createdAt, expiresAt, revoked: false };
		this.remember(sessionIdFromToken(token), session);
		return { token, session };
	}

	/**
	 * The token's session, or null when unknown or expired. A removed session comes back with
	 * `revoked` (and is never renewed). Use slides the expiry, written at most every 30 s.
	 */
	async validate(token: string): Promise<ValidatedAudience | null> {
		if (!token || token.length > 64) return null;
		const hash = sessionIdFromToken(token);
		const now = this.now();
		const known = this.remembered.get(hash);
		if (known && now < known.until && now < known.session.expiresAt.getTime() && (known.session.revoked || now - known.session.lastSeenAt.getTime() < TOUCH_EVERY_MS)) {
			return { session: { ...known.session }, renewed: false };
		}
		const removals = this.removals;
		const row = await this.db
			.selectFrom('audience_sessions')
			.select(['id', 'network_id', 'label', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
			.where('token_hash', '=', hash)
			.executeTakeFirst();
		if (!row) return null;
		if (now >= row.expires_at.getTime()) return null;
		const session: AudienceSession = {
			id: row.id,
			networkId: row.network_id,
			label: row.label,
			createdAt: row.created_at,
			lastSeenAt: row.last_seen_at,
			expiresAt: row.expires_at,
			revoked: row.revoked_at !== null
		};
		if (session.revoked || now - row.last_seen_at.getTime() < TOUCH_EVERY_MS) {
			if (removals === this.removals) this.remember(hash, session);
			return { session: { ...session }, renewed: false };
		}
		session.lastSeenAt = new Date(now);
		session.expiresAt = new Date(now + AUDIENCE_LIFETIME_MS);
		await this.db
			.updateTable('audience_sessions')
			.set({ last_seen_at: session.lastSeenAt, expires_at: session.expiresAt })
			.where('id', '=', row.id)
			.where('revoked_at', 'is', null)
			.execute();
		if (removals === this.removals) this.remember(hash, session);
		return { session: { ...session }, renewed: true };
	}

	/** Revokes people's sessions. Returns the ids that were live sessions of that network (others are skipped). */
	async removeMany(networkId: string, sessionIds: string[]): Promise<string[]> {
		if (!sessionIds.length) return [];
		const rows = await this.db
			.updateTable('audience_sessions')
			.set({ revoked_at: new Date(this.now()) })
			.where('id', 'in', sessionIds)
			.where('network_id', '=', networkId)
			.where('revoked_at', 'is', null)
			.where('expires_at', '>', new Date(this.now()))
			.returning('id')
			.execute();
		const removed = new Set(rows.map((r) => r.id));
		this.forget((session) => removed.has(session.id));
		return [...removed];
	}

	/** Ends every session of the network now (the event is over). */
	async expireAll(networkId: string): Promise<number> {
		const now = new Date(this.now());
		const result = await this.db
			.updateTable('audience_sessions')
			.set({ expires_at: now })
			.where('network_id', '=', networkId)
			.where('expires_at', '>', now)
			.executeTakeFirst();
		this.forgetNetwork(networkId);
		return Number(result.numUpdatedRows);
	}

	/** Drops what is remembered of a network's sessions (it ended, or is being deleted). */
	forgetNetwork(networkId: string): void {
		this.forget((session) => session.networkId === networkId);
	}

	private remember(hash: string, session: AudienceSession) {
		if (this.remembered.size >= REMEMBER_AT_MOST) this.remembered.delete(this.remembered.keys().next().value!);
		this.remembered.delete(hash); // re-inserted: the oldest stay first in line to go
		this.remembered.set(hash, { session: { ...session }, until: this.now() + REMEMBER_MS });
	}

	private forget(match: (session: AudienceSession) => boolean) {
		this.removals++;
		for (const [hash, { session }] of this.remembered) if (match(session)) this.remembered.delete(hash);
	}

	/** Ids of live, unrevoked sessions seen within the presence window. */
	async presentIds(networkId: string): Promise<string[]> {
		const now = this.now();
		const rows = await this.db
			.selectFrom('audience_sessions')
			.select('id')
			.where('network_id', '=', networkId)
			.where('revoked_at', 'is', null)
			.where('expires_at', '>', new Date(now))
			.where('last_seen_at', '>=', new Date(now - PRESENT_WINDOW_MS))
			.execute();
		return rows.map((r) => r.id);
	}

	/** Live sessions (removed ones included, marked), newest first, with how many prompts each sent. */
	async list(networkId: string, limit = 200): Promise<AudienceListing[]> {
		const rows = await this.db
			.selectFrom('audience_sessions as s')
			.select((eb) => [
				's.id',
				's.label',
				's.created_at',
				's.last_seen_at',
				's.revoked_at',
				eb.selectFrom('prompts').select(sql<string>`count(*)`.as('n')).whereRef('prompts.audience_session_id', '=', 's.id').as('prompts')
			])
			.where('s.network_id', '=', networkId)
			.where('s.expires_at', '>', new Date(this.now()))
			.orderBy('s.created_at', 'desc')
			.limit(limit)
			.execute();
		return rows.map((r) => ({
			id: r.id,
			label: r.label,
			createdAt: r.created_at,
			lastSeenAt: r.last_seen_at,
			revoked: r.revoked_at !== null,
			prompts: Number(r.prompts ?? 0)
		}));
	}
}
