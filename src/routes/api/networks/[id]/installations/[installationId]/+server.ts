import { json } from '@sveltejs/kit';
import { installationSchema } from '$server/displays/installations';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';

export const PUT = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.networks.requireEditor(event.params.id, user);
	const input = await readJson(event.request, installationSchema, event.locals.panic.config.maxJsonBytes);
	const updated = await event.locals.panic.installations.update(event.params.id, event.params.installationId, input);
	event.locals.panic.boardFeeder.invalidate(event.params.id);
	return json(updated);
});

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.networks.requireEditor(event.params.id, user);
	await event.locals.panic.installations.remove(event.params.id, event.params.installationId);
	event.locals.panic.boardFeeder.invalidate(event.params.id);
	return json({ ok: true });
});
