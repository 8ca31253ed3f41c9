import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { networkFileSchema } from '$server/networks/graph-service';

export const POST = api(async (event) => {
	const user = requireUser(event);
	const file = await readJson(event.request, networkFileSchema, event.locals.panic.config.maxJsonBytes);
	const network = await event.locals.panic.importNetwork(user, file);
	return json({ id: network.id, network }, { status: 201 });
});
