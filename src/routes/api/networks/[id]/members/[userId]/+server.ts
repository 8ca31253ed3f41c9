import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.removeMember(event.params.id, user, event.params.userId);
	return json({ ok: true });
});
