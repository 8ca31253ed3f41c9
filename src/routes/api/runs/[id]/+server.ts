import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';
import { runPageSchema } from '$server/engine/runs-service';

/** A run with its invocations by seq: `?after=<seq>&limit=<n>` pages on. */
export const GET = api(async (event) => {
	const page = validate(runPageSchema, queryObject(event.url));
	return json(await event.locals.panic.runs.get(event.params.id, event.locals.user, page));
});
