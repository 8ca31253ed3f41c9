import { json } from '@sveltejs/kit';
import { readAudienceCookie, setAudienceCookie } from '$server/audience/cookie';
import { api } from '$server/http/api';
import { clientKey } from '$lib/server/session-cookie';

/**
 * Joins a network's audience with a code: sets the `panic_audience` cookie and answers
 * `{ networkId, label, expiresAt }`. 404 unknown code, 410 expired or revoked, 403 removed,
 * 429 when too many join at once from one address (with `retryAfterSeconds`).
 */
export const POST = api(async (event) => {
	const { token, session } = await event.locals.panic.audience.join(event.params.code, readAudienceCookie(event), clientKey(event));
	if (token) setAudienceCookie(event, token, session.expiresAt);
	return json({ networkId: session.networkId, label: session.label, expiresAt: session.expiresAt });
});
