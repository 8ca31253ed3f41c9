/**
 * The cross-site request guard: one rule for the JSON API, pages' form actions and the sync
 * upgrade. A browser attaches PANIC's cookies to any request aimed at PANIC, whoever's page
 * made it (a form post, a `no-cors` fetch, a WebSocket); what it cannot forge are the
 * `Origin` and `Sec-Fetch-*` headers it adds itself. So a request that changes something is
 * refused when either header says it came from somewhere else.
 *
 * A request with neither header did not come from a browser: every browser PANIC supports
 * sends `Origin` on POST, PUT, PATCH and DELETE (and on WebSocket handshakes), and
 * `Sec-Fetch-Site` on everything. Scripts, the CLI and curl send neither and carry only the
 * cookies they were given, so there is nothing to forge: they pass (`requireOrigin: false`).
 * The sync upgrade keeps requiring an Origin, as it always has.
 */

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Whether `originHeader` is the app's own origin. With `configuredOrigin` (ORIGIN) the Origin
 * must be exactly that; without it, an http(s) origin naming the same host and port as the
 * request's Host header. A missing, `null` or malformed Origin is never allowed.
 */
export function isAllowedOrigin(
	originHeader: string | null | undefined,
	requestHost: string | null | undefined,
	configuredOrigin?: string
): boolean {
	const origin = parseOrigin(originHeader);
	if (!origin) return false;
	if (configuredOrigin) {
		const configured = parseOrigin(configuredOrigin, { allowPath: true });
		return !!configured && configured.origin === origin.origin;
	}
	if (!requestHost || !HOST.test(requestHost)) return false;
	try {
		// Read the Host with the Origin's scheme so default ports compare equal (x:443 = https://x).
		return new URL(`${origin.protocol}//${requestHost}`).host === origin.host;
	} catch {
		return false;
	}
}

function parseOrigin(value: string | null | undefined, { allowPath = false } = {}): URL | null {
	if (!value || value === 'null') return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	if (url.username || url.password || url.search || url.hash) return null;
	if (!allowPath && url.pathname !== '/') return null;
	return url;
}

/** GET, HEAD and OPTIONS only read (no PANIC route changes anything on them); the rest may write. */
export function changesState(method: string): boolean {
	return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

export interface RequestSource {
	origin?: string | null;
	/** The `Sec-Fetch-Site` header: same-origin, same-site, cross-site or none. */
	secFetchSite?: string | null;
	host?: string | null;
}

/** The headers the check reads, from a Fetch API request. */
export function requestSource(headers: Headers): RequestSource {
	return { origin: headers.get('origin'), secFetchSite: headers.get('sec-fetch-site'), host: headers.get('host') };
}

export type CrossSiteVerdict = { ok: true } | { ok: false; error: string };

/** `none` is a person's own action (typing a URL, a bookmark); `same-origin` is PANIC's own page. */
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * Whether a state-changing request may proceed. Refused: a `Sec-Fetch-Site` other than
 * `same-origin`/`none` (so `same-site`, another port or subdomain, is foreign too), any
 * `Origin` that is not the app's, and, with `requireOrigin`, a request without an Origin.
 */
export function crossSiteCheck(
	source: RequestSource,
	{ configuredOrigin, requireOrigin = false }: { configuredOrigin?: string; requireOrigin?: boolean } = {}
): CrossSiteVerdict {
	const site = source.secFetchSite?.trim().toLowerCase();
	if (site && !OWN_SITE.has(site)) return refused;
	if (source.origin != null && source.origin !== '') {
		return isAllowedOrigin(source.origin, source.host, configuredOrigin) ? allowed : refused;
	}
	// An empty Origin header is as good as none; only a browser would have sent a real one.
	return requireOrigin ? refused : allowed;
}

const allowed: CrossSiteVerdict = { ok: true };
const refused: CrossSiteVerdict = {
	ok: false,
	error:
		'This request came from another site, so PANIC refused it. Use PANIC from its own pages; ' +
		'if it runs behind a proxy, the site admin should set ORIGIN to its public address.'
};
