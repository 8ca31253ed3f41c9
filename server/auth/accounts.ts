import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { AppError, conflict, forbidden, tooManyRequests } from '../errors';
import { randomId } from '../ids';
import { displayNameSchema } from './display-name';
import { decoyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, UNUSABLE_PASSWORD_HASH, verifyPassword } from './password';
import { ConcurrencyGate } from './concurrency-gate';
import { KnownDevices } from './known-device';
import { LoginThrottle, type LoginLimits } from './login-throttle';
import { MemoryRateLimits, type RateLimit, type RateLimits } from '../cluster/counters';
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

/** Sign-up: the credentials and, optionally, the name others will see (see display-name.ts). */
export const signupSchema = credentialsSchema.extend({ displayName: displayNameSchema.optional() });
export type SignupInput = z.infer<typeof signupSchema>;

const SIGNUP_SETTING = 'signup_open';

export interface LoginResult {
	user: PublicUser;
	token: string;
	expiresAt: Date;
	/** For the browser's device cookie: its later log-ins to this account count on their own. */
	deviceToken: string;
}

export interface AccountLimits extends LoginLimits {
	signupsPerAddress: number;
	signupWindowMs: number;
	passwordHashConcurrency: number;
}

/** Log-ins and sign-ups waiting for a password check, per hash allowed at once, before a 503. */
const WAITING_PER_HASH = 100;

export interface AccountsOptions {
	now?: () => number;
	/** Where sign-up and log-in counts live: in memory (default, on `now`) or in Redis for a cluster. */
	rates?: RateLimits;
	/** How a slowed-down log-in waits (tests pass a fake). */
	sleep?: (ms: number) => Promise<void>;
	/** Signs device cookies; the app's comes from its secret key, so they outlive restarts. */
	devices?: KnownDevices;
}

/**
 * Sign-up, log-in and the site-wide sign-up switch. Log-in is throttled so that guessing is
 * slow but nobody can lock the owner out (login-throttle.ts); sign-up is limited per client
 * address, generously, since a workshop room shares one.
 */
export class Accounts {
	private loginThrottle: LoginThrottle;
	private signups: RateLimit;
	private sleep: (ms: number) => Promise<void>;
	private devices: KnownDevices;
	private hashing: ConcurrencyGate;

	constructor(
		private db: Db,
		private sessions: SessionStore,
		limits: AccountLimits,
		options: AccountsOptions = {}
	) {
		const now = options.now ?? Date.now;
		const rates = options.rates ?? new MemoryRateLimits(now);
		this.loginThrottle = new LoginThrottle(limits, rates);
		this.signups = rates.rateLimit('signups', limits.signupsPerAddress, limits.signupWindowMs);
		this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
		this.devices = options.devices ?? new KnownDevices(randomBytes(32));
		this.hashing = new ConcurrencyGate(
			limits.passwordHashConcurrency,
			limits.passwordHashConcurrency * WAITING_PER_HASH,
			'PANIC is checking a lot of passwords right now. Try again in a few seconds.'
		);
	}

	async signup(credentials: SignupInput, clientKey: string): Promise<LoginResult> {
		// First of all, before the database and the (deliberately slow) password hash: a flood costs nothing.
		const allowed = await this.signups.take(clientKey);
		if (!allowed.ok) {
			const seconds = Math.max(1, Math.ceil(allowed.retryAfterMs / 1000));
			throw tooManyRequests(`Too many accounts were created from your network address lately. Try again in ${seconds} seconds.`, seconds);
		}
		if (!(await this.isSignupOpen())) {
			throw forbidden('Sign-up is closed on this PANIC. Ask an admin for an account.');
		}
		const passwordHash = await this.hashing.run(() => hashPassword(credentials.password));
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
						display_name: credentials.displayName ?? null,
						// The very first account runs the site.
						is_admin: existing.length === 0
					})
					.onConflict((oc) => oc.column('email').doNothing())
					.returning(['id', 'email', 'is_admin', 'created_at', 'display_name'])
					.executeTakeFirst();
			});
		if (!user) throw conflict('An account with that email already exists. Log in instead.');
		return this.startSession(user);
	}

	/**
	 * `clientKey`: the client's address as limits see it; `deviceToken`: the browser's device
	 * cookie, if any (see known-device.ts).
	 */
	async login(credentials: { email: string; password: string }, clientKey: string, deviceToken?: string): Promise<LoginResult> {
		const email = credentials.email.trim().toLowerCase();
		const device = this.devices.deviceFor(email, deviceToken);
		const attempt = await this.loginThrottle.begin(email, device ? `device:${device}` : clientKey, { knownDevice: !!device });
		if (attempt.delayMs > 0) await this.sleep(attempt.delayMs);

		const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
		const stored = row?.password_hash ?? (await decoyHash());
		const ok = await this.hashing.run(() => verifyPassword(stored, credentials.password));
		if (!row || !ok) throw new AppError(400, 'Wrong email or password.');
		// The right password logs in even if its tries cannot be given back just now (Redis away).
		await attempt.succeeded().catch(() => undefined);
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

	/** Sets the name others see; `null` goes back to the default. */
	async setDisplayName(user: PublicUser, name: string | null): Promise<PublicUser> {
		await this.db.updateTable('users').set({ display_name: name }).where('id', '=', user.id).execute();
		return { ...user, display_name: name };
	}

	private async startSession(user: PublicUser): Promise<LoginResult> {
		const { token, session } = await this.sessions.create(user.id);
		const { id, email, is_admin, created_at, display_name } = user;
		return { user: { id, email, is_admin, created_at, display_name }, token, expiresAt: session.expiresAt, deviceToken: this.devices.issue(email) };
	}
}
