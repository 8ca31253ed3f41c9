import { z } from 'zod';

/**
 * Display names: what other people see of an account. Emails are personal data: only their
 * owner sees theirs, and a network's owner sees its members' (to know whom they invited and
 * remove the right person). Everyone else, members included, sees display names.
 */
export const displayNameSchema = z
	.string()
	.trim()
	.min(1, { error: 'Give a name others will see, like "Ada" or "Studio 3".' })
	.max(60, { error: 'Use a name of at most 60 characters.' })
	// Control and bidi-override characters would let a name disguise itself in lists.
	.refine((name) => !/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(name), { error: 'Use letters, digits, spaces and punctuation only.' });

/**
 * The name shown for an account: the one its owner chose, or "Person K7QX" from the first
 * characters of its random id until they choose one; never anything derived from the email.
 */
export function displayName(user: { id: string; display_name: string | null }): string {
	return user.display_name ?? `Person ${user.id.slice(0, 4).toUpperCase()}`;
}

/** An account as its owner sees it (`/api/me`, log-in, sign-up): everything, plus the name shown to others. */
export function ownAccount<U extends { id: string; display_name: string | null }>(user: U): U & { name: string } {
	return { ...user, name: displayName(user) };
}
