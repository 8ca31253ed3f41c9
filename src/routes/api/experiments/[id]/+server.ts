import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';

/** An experiment with its runs, the summary of those finished and their result rows (anyone who may see its network). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.experiments.get(event.params.id, event.locals.user));
});
