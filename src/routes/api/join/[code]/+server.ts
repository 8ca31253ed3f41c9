import { json } from '@sveltejs/kit';
import { readAudienceCookie, setAudienceCookie } from '$server/audience/cookie';
import { api } from '$server/http/api';

/**
 * Joins a network's audience with a code: sets the `panic_audience` cookie and answers
 * `{ networkId, label, expiresAt }`. 404 unknown code, 410 expired or revoked, 403 removed.
 */
export const POST = api(async (event) => {
	const { token, session } = await event.locals.panic.audience.join(event.params.code, readAudienceCookie(event));
	if (token) setAudienceCookie(event, token, session.expiresAt);
	return json({ networkId: session.networkId, label: session.label, expiresAt: session.expiresAt });
});
