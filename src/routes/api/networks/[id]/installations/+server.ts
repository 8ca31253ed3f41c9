import { json } from '@sveltejs/kit';
import { installationSchema } from '$server/displays/installations';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';

/** A network's saved installations (owner and editors: they run the room). */
export const GET = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.networks.requireEditor(event.params.id, user);
	return json(await event.locals.panic.installations.list(event.params.id));
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.networks.requireEditor(event.params.id, user);
	const input = await readJson(event.request, installationSchema, event.locals.panic.config.maxJsonBytes);
	const created = await event.locals.panic.installations.create(event.params.id, input);
	event.locals.panic.boardFeeder.invalidate(event.params.id);
	return json(created, { status: 201 });
});
