import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { clearAudienceCookie, readAudienceCookie, setAudienceCookie } from '$server/audience/cookie';
import { SESSION_COOKIE } from '$server/auth/session-token';
import { errorResponse } from '$server/http/api';
import { changesState, crossSiteCheck, requestSource } from '$server/http/origin';
import { addRouteHeaders } from '$server/http/security-headers';
import { getPanic } from '$server/instance';
import { clearSessionCookie, setSessionCookie } from '$lib/server/session-cookie';

// Start the domain (open the database, run migrations) before the first request is served.
export const init: ServerInit = async () => {
	await getPanic();
};

export const handle: Handle = async ({ event, resolve }) => {
	const panic = await getPanic();
	const secured = (response: Response) => addRouteHeaders(response, event.url.pathname, panic.config.kioskFrameAncestors);
	// Cross-site request forgery: API calls and form actions alike, before any cookie is read.
	if (changesState(event.request.method)) {
		const verdict = crossSiteCheck(requestSource(event.request.headers), { configuredOrigin: panic.config.origin });
		if (!verdict.ok) return secured(errorResponse(403, verdict.error));
	}
	event.locals.panic = panic;
	event.locals.user = null;
	event.locals.session = null;
	event.locals.audience = null;

	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const found = await panic.sessions.validate(token);
		if (found) {
			event.locals.user = found.user;
			event.locals.session = found.session;
			if (found.renewed) setSessionCookie(event, token, found.session.expiresAt);
		} else {
			clearSessionCookie(event);
		}
	}

	// An audience member's phone (joined with a code): one network, no account.
	const audienceToken = readAudienceCookie(event);
	if (audienceToken) {
		const found = await panic.audience.validate(audienceToken);
		if (found) {
			event.locals.audience = found.session;
			if (found.renewed) setAudienceCookie(event, audienceToken, found.session.expiresAt);
		} else {
			clearAudienceCookie(event);
		}
	}

	const response = await resolve(event);
	return secured(event.url.pathname.startsWith('/api/') ? await asJsonError(response) : response);
};

/**
 * SvelteKit answers some API failures itself (405 for a method a route lacks, 403 from its
 * CSRF check) as text; every API error must be `{ error }` JSON, so convert those here.
 */
async function asJsonError(response: Response): Promise<Response> {
	if (response.status < 400 || response.headers.get('content-type')?.includes('application/json')) return response;
	const text = (await response.text()).trim().slice(0, 300);
	return errorResponse(response.status, text || response.statusText || 'Request failed.', undefined, {
		...(response.headers.get('allow') ? { allow: response.headers.get('allow')! } : {})
	});
}

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status !== 404) console.error(`[server] ${event.request.method} ${event.url.pathname}:`, error);
	return { message: status === 404 ? 'Not found.' : 'Something went wrong on the server.' };
};
