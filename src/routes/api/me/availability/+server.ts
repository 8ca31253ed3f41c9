import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Which models the signed-in user's keys reach, as the providers last said. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.availability.view(user.id));
});
