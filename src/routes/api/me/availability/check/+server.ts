import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { PLATFORMS, type PlatformId } from '$shared/platforms/types';

const checkSchema = z.object({ platform: z.enum(PLATFORMS as [PlatformId, ...PlatformId[]]).optional() }).strict();

/** "Check now": asks the providers again (one platform, or all the user can check); 429 within a minute of the last. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { platform } = await readJson(event.request, checkSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.availability.check(user.id, platform));
});
