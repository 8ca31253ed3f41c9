import type { RequestEvent } from '@sveltejs/kit';
import type { LoginResult } from '$server/auth/accounts';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S } from '$server/auth/known-device';
import { SESSION_COOKIE, sessionCookieOptions } from '$server/auth/session-token';
import { addressKey } from '$server/http/client-address';

// Secure whenever the page itself came over https; plain http only on localhost-style setups.
const isSecure = (event: RequestEvent) => event.url.protocol === 'https:';

export function setSessionCookie(event: RequestEvent, token: string, expiresAt: Date): void {
	event.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(expiresAt, isSecure(event)));
}

/**
 * After a sign-up or log-in: the session cookie, and the device cookie that makes this
 * browser's later log-ins to the account count on their own (server/auth/known-device.ts).
 */
export function setLoginCookies(event: RequestEvent, { token, expiresAt, deviceToken }: LoginResult): void {
	setSessionCookie(event, token, expiresAt);
	event.cookies.set(DEVICE_COOKIE, deviceToken, { httpOnly: true, sameSite: 'lax', secure: isSecure(event), path: '/', maxAge: DEVICE_COOKIE_MAX_AGE_S });
}

/** The device cookie a log-in brings along, if any. */
export const deviceToken = (event: RequestEvent): string | undefined => event.cookies.get(DEVICE_COOKIE);

export function clearSessionCookie(event: RequestEvent): void {
	event.cookies.set(SESSION_COOKIE, '', { ...sessionCookieOptions(new Date(0), isSecure(event)), maxAge: 0 });
}

/** Ends the current session server-side (closing its streams and sockets) and clears the cookie. */
export async function logout(event: RequestEvent): Promise<void> {
	if (event.locals.session) await event.locals.panic.logout(event.locals.session.id);
	event.locals.session = null;
	event.locals.user = null;
	clearSessionCookie(event);
}

/** The key per-client limits use for "this client": the address the adapter reports (IPv6 by /64). */
export function clientKey(event: RequestEvent): string {
	try {
		return addressKey(event.getClientAddress());
	} catch {
		return 'unknown';
	}
}
