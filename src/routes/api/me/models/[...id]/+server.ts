import { json } from '@sveltejs/kit';
import { notFound } from '$server/errors';
import { api, requireUser } from '$server/http/api';

/** Removes one of the user's models (networks using it keep running it from their owner's copy, if any). */
export const DELETE = api(async (event) => {
	const user = requireUser(event);
	if (!(await event.locals.panic.customModels.remove(user.id, event.params.id))) throw notFound('You have no model with that id.');
	return json({ ok: true });
});
