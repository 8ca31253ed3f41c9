import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Ends the event (owner or editor): revokes codes and audience sessions, drops waiting prompts. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	return json({ ok: true, ...(await event.locals.panic.audience.endEvent(event.params.id, user)) });
});
