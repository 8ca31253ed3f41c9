import { redirect } from '@sveltejs/kit';
import { credentialsSchema } from '$server/auth/accounts';
import { validate } from '$server/http/body';
import { attempt, field, nextPath } from '$lib/server/form';
import { clientKey, setSessionCookie } from '$lib/server/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, nextPath(url));
	return { signupOpen: await locals.panic.accounts.isSignupOpen() };
};

export const actions: Actions = {
	default: async (event) => {
		const data = await event.request.formData();
		const email = field(data, 'email');
		const result = await attempt({ email }, async () => {
			const credentials = validate(credentialsSchema, { email, password: field(data, 'password') });
			const { token, expiresAt } = await event.locals.panic.accounts.signup(credentials, clientKey(event));
			setSessionCookie(event, token, expiresAt);
		});
		if (result) return result;
		redirect(303, nextPath(event.url));
	}
};
