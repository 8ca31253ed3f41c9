import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

export const GET = api(async (event) => json(await event.locals.panic.invites.peek(event.params.token)));

export const POST = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.acceptInvite(event.params.token, user));
});
