import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Who is in the audience (owner or editor): `{ count, streams, sessions }`, newest 200 sessions. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.audience.presence(event.params.id, user));
});
