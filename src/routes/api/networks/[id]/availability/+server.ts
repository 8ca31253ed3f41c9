import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** The network's models as its owner's keys reach them (runs spend the owner's keys), for members. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.networkAvailability(event.params.id, user));
});
