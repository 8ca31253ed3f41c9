import { MemoryRateLimits, type RateLimit, type RateLimits } from '../cluster/counters';
import { tooManyRequests } from '../errors';

/**
 * Log-in throttling that a stranger cannot turn into a lock-out. Wrong passwords are counted
 * three ways, each in a token bucket that refills over the window:
 *
 * - per account and client address: the client guessing one person's password is refused
 *   (429) after a few failures, and only that client: the owner, logging in from anywhere
 *   else, is not;
 * - per client address, over all accounts: one client guessing many accounts is refused;
 *   the limit is high enough for a workshop room behind one address, where people mistype;
 * - per account, from everywhere: never a refusal, a slow-down that grows with the failures
 *   and is capped at a few seconds, against guessing spread over many addresses.
 *
 * A browser that has logged into the account before (a known device, known-device.ts) counts
 * as a client of its own rather than as its address, and is not slowed down: a stranger in
 * the same room, behind the same venue address, cannot lock the owner's browser out either.
 *
 * An attempt takes its tokens before the password is checked, so a burst of concurrent
 * guesses cannot slip past the counts; a correct password gives them back.
 *
 * The counts live where `RateLimits` keeps them: in memory for the single process, in Redis
 * for a cluster, so spreading guesses over the processes gains a guesser nothing.
 */
export interface LoginLimits {
	loginFailuresPerAccountClient: number;
	loginFailuresPerClient: number;
	loginWindowMs: number;
	loginMaxDelayMs: number;
}

/** Failures an account takes from everywhere before its log-ins slow down: a person's own typos never wait. */
export const FREE_FAILURES = 5;
const FIRST_DELAY_MS = 250;
/** Enough room in the per-account count to reach any cap of a few seconds. */
const ACCOUNT_COUNT = FREE_FAILURES + 10;

/**
 * How long a log-in to an account waits, given its recent failures from everywhere:
 * nothing for the first five, then 250 ms doubling with each further one, at most `maxMs`.
 */
export function slowDownMs(failures: number, maxMs: number): number {
	const beyond = Math.floor(failures) - FREE_FAILURES;
	if (beyond < 0) return 0;
	return Math.min(maxMs, FIRST_DELAY_MS * 2 ** Math.min(beyond, 20));
}

export interface LoginAttempt {
	/** Wait this long before checking the password. */
	delayMs: number;
	/** The password was right: the attempt does not count against anyone. */
	succeeded(): Promise<void>;
}

export class LoginThrottle {
	private perPair: RateLimit;
	private perClient: RateLimit;
	private perAccount: RateLimit;

	/** `rates`: where the counts live (default: in memory); a clock makes in-memory ones on it (tests). */
	constructor(
		private limits: LoginLimits,
		rates: RateLimits | (() => number) = Date.now
	) {
		const counters = typeof rates === 'function' ? new MemoryRateLimits(rates) : rates;
		this.perPair = counters.rateLimit('login-pair', limits.loginFailuresPerAccountClient, limits.loginWindowMs);
		this.perClient = counters.rateLimit('login-client', limits.loginFailuresPerClient, limits.loginWindowMs);
		this.perAccount = counters.rateLimit('login-account', ACCOUNT_COUNT, limits.loginWindowMs);
	}

	/**
	 * Counts an attempt on `account` (the normalised email) from `client` (an address, or a
	 * known device's id), or refuses it with a 429.
	 */
	async begin(account: string, client: string, { knownDevice = false } = {}): Promise<LoginAttempt> {
		const pair = `${account}\n${client}`;
		const byClient = await this.perClient.take(client);
		if (!byClient.ok) throw refusal('Too many failed log-ins from your network address', byClient.retryAfterMs);
		const byPair = await this.perPair.take(pair);
		if (!byPair.ok) {
			await this.perClient.refund(client); // refused before checking anything: not a guess
			throw refusal('Too many wrong passwords for this account from here', byPair.retryAfterMs);
		}
		const delayMs = knownDevice ? 0 : slowDownMs(await this.perAccount.spent(account), this.limits.loginMaxDelayMs);
		await this.perAccount.take(account); // a count, never a refusal: the account itself is never locked
		return {
			delayMs,
			succeeded: async () => {
				await Promise.all([this.perClient.refund(client), this.perPair.reset(pair), this.perAccount.refund(account)]);
			}
		};
	}
}

function refusal(what: string, retryAfterMs: number) {
	const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
	return tooManyRequests(`${what}. Try again in ${seconds} seconds.`, seconds);
}
