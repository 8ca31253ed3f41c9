import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Removes one audience member (owner or editor): their prompts are dropped, their streams closed. */
export const DELETE = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.audience.removeSession(event.params.id, user, event.params.sessionId);
	return json({ ok: true });
});
