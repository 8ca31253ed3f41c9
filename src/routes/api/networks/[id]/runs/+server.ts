import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { startRunSchema } from '$server/engine/runs-service';

/** The network's runs, newest first (anyone who may see the network). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.runs.list(event.params.id, event.locals.user));
});

/** Starts a run, replacing the active one (owners and editors). */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const body = await readJson(event.request, startRunSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.runs.start(event.params.id, user, body), { status: 201 });
});
