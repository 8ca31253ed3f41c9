import { json } from '@sveltejs/kit';
import { atlasQuerySchema } from '$server/atlas/atlas-service';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';

/** The attractor atlas of the network's finished runs, or of `?runs=<id>,<id>,…` of its runs. */
export const GET = api(async (event) => {
	const query = validate(atlasQuerySchema, queryObject(event.url));
	return json(await event.locals.panic.atlas.forNetwork(event.params.id, event.locals.user, query));
});
