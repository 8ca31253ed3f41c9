import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.networks.members(event.params.id, user));
});
