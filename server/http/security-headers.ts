/**
 * The parts of PANIC's response headers that depend on the route. The page CSP itself is
 * SvelteKit's (`kit.csp` in svelte.config.js: it puts a nonce on the inline bootstrap script
 * of each page); `nosniff` and `Referrer-Policy` go on every response in scripts/serve.js,
 * since built scripts and static files are served before any hook runs.
 *
 * Framing: no page may be framed (clickjacking), except the kiosk and display pages, which
 * signage systems may embed; who may frame those is KIOSK_FRAME_ANCESTORS (default 'self').
 */

const KIOSK_PAGE = /^\/(?:display\/[^/]+|networks\/[^/]+\/display)\/?$/;

/** `/display/<token>` and `/networks/<id>/display`: the screens installations show. */
export const isKioskPage = (pathname: string): boolean => KIOSK_PAGE.test(pathname);

/** A frame-ancestors source PANIC accepts from the environment: a keyword, a scheme or an http(s) origin. */
const FRAME_SOURCE = /^(?:'self'|\*|https?:|https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?)$/i;

/**
 * KIOSK_FRAME_ANCESTORS as CSP sources: space- or comma-separated origins (`https://signage.example.org`,
 * `https://*.example.org`), `'self'` or `*`. Empty means `'self'`; `'none'` alone forbids framing them too.
 * Anything else stops start-up: a typo here would otherwise silently break (or open) framing.
 */
export function frameAncestorsFromEnv(value: string | undefined): string[] {
	const sources = (value ?? '').split(/[\s,]+/).filter(Boolean);
	if (sources.length === 0) return ["'self'"];
	if (sources.length === 1 && sources[0] === "'none'") return sources;
	const bad = sources.find((source) => !FRAME_SOURCE.test(source));
	if (bad) {
		throw new Error(`KIOSK_FRAME_ANCESTORS: "${bad}" is not an origin like https://signage.example.org, 'self', * or 'none'.`);
	}
	return sources;
}

/** API answers are data, never documents: nothing loads from them and nobody frames them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Adds frame-ancestors to a rendered page's CSP, and a CSP of its own to an API answer. */
export function addRouteHeaders(response: Response, pathname: string, kioskFrameAncestors: string[]): Response {
	const csp = response.headers.get('content-security-policy');
	if (csp) {
		const ancestors = isKioskPage(pathname) ? kioskFrameAncestors.join(' ') : "'none'";
		response.headers.set('content-security-policy', `${csp}; frame-ancestors ${ancestors}`);
	} else if (pathname.startsWith('/api/')) {
		response.headers.set('content-security-policy', API_CSP);
	}
	return response;
}
