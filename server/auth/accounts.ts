import { z } from 'zod';
import type { Db } from '../db/connect';
import { AppError, badRequest, conflict, forbidden, tooManyRequests } from '../errors';
import { randomId } from '../ids';
import { decoyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, UNUSABLE_PASSWORD_HASH, verifyPassword } from './password';
import { RateLimiter } from './rate-limit';
import type { PublicUser, SessionStore } from './sessions';

export const credentialsSchema = z.object({
	email: z
		.string()
		.trim()
		.toLowerCase()
		.max(254)
		.pipe(z.email({ error: 'Enter a valid email address.' })),
	password: z
		.string()
		.min(PASSWORD_MIN, { error: `Use a password of at least ${PASSWORD_MIN} characters.` })
		.max(PASSWORD_MAX, { error: `Use a password of at most ${PASSWORD_MAX} characters.` })
});
export type Credentials = z.infer<typeof credentialsSchema>;

const MINUTE = 60_000;
const SIGNUP_SETTING = 'signup_open';

export interface LoginResult {
	user: PublicUser;
	token: string;
	expiresAt: Date;
}

/**
 * Sign-up, log-in and the site-wide sign-up switch. Log-in is throttled twice: per account
 * (guessing one person's password) and per client (one client trying many accounts).
 */
export class Accounts {
	readonly perAccount: RateLimiter;
	readonly perClient: RateLimiter;

	constructor(
		private db: Db,
		private sessions: SessionStore,
		now: () => number = Date.now
	) {
		this.perAccount = new RateLimiter(5, 15 * MINUTE, now);
		this.perClient = new RateLimiter(30, 15 * MINUTE, now);
	}

	async signup(credentials: Credentials): Promise<LoginResult> {
		if (!(await this.isSignupOpen())) {
			throw forbidden('Sign-up is closed on this PANIC. Ask an admin for an account.');
		}
		const passwordHash = await hashPassword(credentials.password);
		const user = await this.db
			.transaction()
			.execute(async (tx) => {
				// Accounts nobody logs into (the CLI's `experiments` one) do not take the admin seat.
				const existing = await tx.selectFrom('users').select('id').where('password_hash', '!=', UNUSABLE_PASSWORD_HASH).limit(1).execute();
				return tx
					.insertInto('users')
					.values({
						id: randomId(),
						email: credentials.email,
						password_hash: passwordHash,
						// The very first account runs the site.
						is_admin: existing.length === 0
					})
					.onConflict((oc) => oc.column('email').doNothing())
					.returning(['id', 'email', 'is_admin', 'created_at'])
					.executeTakeFirst();
			});
		if (!user) throw conflict('An account with that email already exists. Log in instead.');
		return this.startSession(user);
	}

	async login(credentials: { email: string; password: string }, clientKey: string): Promise<LoginResult> {
		const email = credentials.email.trim().toLowerCase();
		this.throttle(this.perClient.take(`client:${clientKey}`));
		const accountKey = `account:${email}`;
		if (!this.perAccount.peek(accountKey)) this.throttle(this.perAccount.take(accountKey));

		const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
		const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), credentials.password);
		if (!row || !ok) {
			this.perAccount.take(accountKey);
			throw new AppError(400, 'Wrong email or password.');
		}
		this.perAccount.reset(accountKey);
		return this.startSession(row);
	}

	async isSignupOpen(): Promise<boolean> {
		const row = await this.db.selectFrom('settings').select('value').where('key', '=', SIGNUP_SETTING).executeTakeFirst();
		return row ? row.value === true : true;
	}

	async setSignupOpen(actor: PublicUser, open: boolean): Promise<void> {
		if (!actor.is_admin) throw forbidden('Only an admin can open or close sign-up.');
		await this.db
			.insertInto('settings')
			.values({ key: SIGNUP_SETTING, value: JSON.stringify(open) })
			.onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(open) }))
			.execute();
	}

	private async startSession(user: PublicUser): Promise<LoginResult> {
		const { token, session } = await this.sessions.create(user.id);
		const { id, email, is_admin, created_at } = user;
		return { user: { id, email, is_admin, created_at }, token, expiresAt: session.expiresAt };
	}

	private throttle(result: { ok: true } | { ok: false; retryAfterMs: number }) {
		if (result.ok) return;
		const seconds = Math.ceil(result.retryAfterMs / 1000);
		throw tooManyRequests(`Too many login attempts. Try again in ${seconds} seconds.`, seconds);
	}
}
