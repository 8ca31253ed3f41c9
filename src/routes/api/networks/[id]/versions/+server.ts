import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { versionNameSchema } from '$server/history/versions';

/** The network's versions, newest first (anyone who may see it). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.versions.list(event.params.id, event.locals.user));
});

/** Saves the live graph as a named version (owner and editors). */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { name } = await readJson(event.request, versionNameSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.versions.saveNamed(event.params.id, user, name), { status: 201 });
});
