import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { graphSchema } from '$shared/graph/types';

export const GET = api(async (event) => {
	return json(await event.locals.panic.graphs.get(event.params.id, event.locals.user));
});

export const PUT = api(async (event) => {
	const user = requireUser(event);
	const graph = await readJson(event.request, graphSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.graphs.put(event.params.id, user, graph));
});
