import { json } from '@sveltejs/kit';
import { analysisQuerySchema } from '$server/analysis/analysis-service';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';

/** A run's loop analysis (RunAnalysis): `?embedder=<id>&maxPoints=<n>`. */
export const GET = api(async (event) => {
	const query = validate(analysisQuerySchema, queryObject(event.url));
	return json(await event.locals.panic.analysis.get(event.params.id, event.locals.user, query));
});
