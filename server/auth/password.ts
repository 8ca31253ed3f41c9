import { hash, verify } from '@node-rs/argon2';

// OWASP's recommended argon2id settings (19 MiB, 2 iterations, 1 lane). @node-rs/argon2
// defaults to the argon2id variant; the parameters are spelled out so they stay put.
const PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/**
 * The stored hash of accounts nobody logs into (the `experiments` account the CLI imports
 * networks as): not a PHC string, so verifyPassword is false for every password. Such
 * accounts do not count as "the first account" that becomes the admin.
 */
export const UNUSABLE_PASSWORD_HASH = '!no-login';

export function hashPassword(password: string): Promise<string> {
	return hash(password, PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false; // a malformed stored hash is a failed login, not a crash
	}
}

/** A hash of a throwaway password, so unknown emails cost as much time as known ones. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
	return (decoy ??= hashPassword('decoy-password-for-timing'));
}
