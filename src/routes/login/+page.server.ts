import { redirect } from '@sveltejs/kit';
import { attempt, field, nextPath } from '$lib/server/form';
import { clientKey, deviceToken, setLoginCookies } from '$lib/server/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, nextPath(url));
};

export const actions: Actions = {
	default: async (event) => {
		const data = await event.request.formData();
		const email = field(data, 'email');
		const result = await attempt({ email }, async () => {
			const credentials = { email, password: field(data, 'password') };
			setLoginCookies(event, await event.locals.panic.accounts.login(credentials, clientKey(event), deviceToken(event)));
		});
		if (result) return result;
		redirect(303, nextPath(event.url));
	}
};
