import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';

/** One version with its graph (anyone who may see the network). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.versions.get(event.params.id, event.params.versionId, event.locals.user));
});
