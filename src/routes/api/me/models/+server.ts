import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { publicModelInfo } from '$server/platforms/catalogue';
import { addModelSchema } from '$server/platforms/replicate/custom';

/** The models the user added by name. */
export const GET = api(async (event) => {
	const user = requireUser(event);
	return json((await event.locals.panic.customModels.list(user.id)).map(publicModelInfo));
});

/** Adds a Replicate model by `owner/name[:version]`, with optional corrections to the proposal. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const body = await readJson(event.request, addModelSchema, event.locals.panic.config.maxJsonBytes);
	return json(publicModelInfo(await event.locals.panic.modelAdder.add(user.id, body)), { status: 201 });
});
