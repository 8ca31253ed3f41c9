import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { availabilityCheckSchema } from '$server/http/request-schemas';

/** "Check now": asks the providers again (one platform, or all the user can check); 429 within a minute of the last. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { platform } = await readJson(event.request, availabilityCheckSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.availability.check(user.id, platform));
});
