import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** 20 random bytes = 160 bits, as in the Lucia sessions guide. Only the browser holds this. */
export function generateSessionToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

/** The stored session id: SHA-256 of the token, so a database leak yields no usable cookie. */
export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export const SESSION_COOKIE = 'panic_session';

export interface CookieOptions {
	httpOnly: true;
	sameSite: 'lax';
	secure: boolean;
	path: '/';
	expires: Date;
}

export function sessionCookieOptions(expires: Date, secure: boolean): CookieOptions {
	return { httpOnly: true, sameSite: 'lax', secure, path: '/', expires };
}
