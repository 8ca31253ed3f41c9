import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { validate } from '$server/http/body';
import { platformSchema } from '$server/keys/provider-keys';

export const POST = api(async (event) => {
	const user = requireUser(event);
	const platform = validate(platformSchema, event.params.platform);
	return json({ result: await event.locals.panic.checkKey(user.id, platform) });
});
