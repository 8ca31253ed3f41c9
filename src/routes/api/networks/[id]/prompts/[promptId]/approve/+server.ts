import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Approves a queued prompt (owner or editor); approved prompts start in order. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.audience.approve(event.params.id, user, event.params.promptId));
});
