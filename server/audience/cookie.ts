import { sessionCookieOptions } from '../auth/session-token';
import { AUDIENCE_COOKIE } from './sessions';

/** The slice of SvelteKit's cookies (and request URL) the audience cookie needs. */
export interface CookieJar {
	url: URL;
	cookies: {
		get(name: string): string | undefined;
		set(name: string, value: string, options: ReturnType<typeof sessionCookieOptions> & { maxAge?: number }): void;
	};
}

// Same rules as the member session cookie: HttpOnly, SameSite=Lax, Path=/, Secure under https.
const secure = (jar: CookieJar) => jar.url.protocol === 'https:';

export function readAudienceCookie(jar: CookieJar): string | undefined {
	return jar.cookies.get(AUDIENCE_COOKIE) || undefined;
}

export function setAudienceCookie(jar: CookieJar, token: string, expiresAt: Date): void {
	jar.cookies.set(AUDIENCE_COOKIE, token, sessionCookieOptions(expiresAt, secure(jar)));
}

export function clearAudienceCookie(jar: CookieJar): void {
	jar.cookies.set(AUDIENCE_COOKIE, '', { ...sessionCookieOptions(new Date(0), secure(jar)), maxAge: 0 });
}
