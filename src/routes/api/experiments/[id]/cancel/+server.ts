import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

/** Cancels an experiment: its run in flight stops and no more start (owners and editors). */
export const POST = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.experiments.cancel(event.params.id, user));
});
