import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { createNetworkSchema } from '$server/networks/networks';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.networks.list(user));
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	const { name } = await readJson(event.request, createNetworkSchema, event.locals.panic.config.maxJsonBytes);
	const network = await event.locals.panic.createNetwork(user, name);
	return json({ id: network.id, network }, { status: 201 });
});
