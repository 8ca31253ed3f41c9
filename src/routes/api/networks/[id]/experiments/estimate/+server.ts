import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { EXPERIMENT_MAX_BODY, startExperimentSchema } from '$server/http/request-schemas';

/** What an experiment would cost, without starting it (owners and editors). */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const body = await readJson(event.request, startExperimentSchema, EXPERIMENT_MAX_BODY);
	return json(await event.locals.panic.experiments.estimate(event.params.id, user, body));
});
