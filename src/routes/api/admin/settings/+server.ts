import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { siteSettingsSchema } from '$server/http/request-schemas';

export const GET = api(async (event) => {
	requireUser(event);
	return json({ signupOpen: await event.locals.panic.accounts.isSignupOpen() });
});

export const PATCH = api(async (event) => {
	const user = requireUser(event);
	const { accounts, config } = event.locals.panic;
	const { signupOpen } = await readJson(event.request, siteSettingsSchema, config.maxJsonBytes);
	await accounts.setSignupOpen(user, signupOpen);
	return json({ signupOpen });
});
