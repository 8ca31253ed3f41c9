import { json } from '@sveltejs/kit';
import { notFound } from '$server/errors';
import { api } from '$server/http/api';

/** What a kiosk URL shows (the token is the credential; no login on kiosk machines). */
export const GET = api(async (event) => {
	const screen = await event.locals.panic.installations.kiosk(event.params.token);
	if (!screen) throw notFound('This display link is no longer valid; ask for a new one.');
	const { kioskToken: _token, ...shown } = screen;
	return json(shown);
});
