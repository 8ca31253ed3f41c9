import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Drops every waiting prompt in one action (owner or editor): `{ dropped }`. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.audience.clearQueue(event.params.id, user));
});
