import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { updateNetworkSchema } from '$server/networks/networks';

export const GET = api(async (event) => {
	const { network, role } = await event.locals.panic.networks.access(event.params.id, event.locals.user);
	const overview = await event.locals.panic.runs.overview(event.params.id, event.locals.user);
	return json({ ...network, role, ...overview });
});

export const PATCH = api(async (event) => {
	const user = requireUser(event);
	const changes = await readJson(event.request, updateNetworkSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.updateNetwork(event.params.id, user, changes));
});

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	await event.locals.panic.deleteNetwork(event.params.id, user);
	return json({ ok: true });
});
