import { redirect } from '@sveltejs/kit';
import { signupSchema } from '$server/auth/accounts';
import { validate } from '$server/http/body';
import { attempt, field, nextPath } from '$lib/server/form';
import { clientKey, setLoginCookies } from '$lib/server/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, nextPath(url));
	return { signupOpen: await locals.panic.accounts.isSignupOpen() };
};

export const actions: Actions = {
	default: async (event) => {
		const data = await event.request.formData();
		const email = field(data, 'email');
		const displayName = field(data, 'displayName').trim();
		const result = await attempt({ email, displayName }, async () => {
			const credentials = validate(signupSchema, { email, password: field(data, 'password'), displayName: displayName || undefined });
			setLoginCookies(event, await event.locals.panic.accounts.signup(credentials, clientKey(event)));
		});
		if (result) return result;
		redirect(303, nextPath(event.url));
	}
};
