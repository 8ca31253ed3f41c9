import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

export const POST = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.runs.pause(event.params.id, user));
});
