import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { EXPERIMENT_MAX_BODY, startExperimentSchema } from '$server/http/request-schemas';

/** The network's experiments, newest first (anyone who may see the network). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.experiments.list(event.params.id, event.locals.user));
});

/** Starts an experiment: prompts × runs × steps through the engine, one run after another (owners and editors). */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const body = await readJson(event.request, startExperimentSchema, EXPERIMENT_MAX_BODY);
	return json(await event.locals.panic.experiments.start(event.params.id, user, body), { status: 201 });
});
