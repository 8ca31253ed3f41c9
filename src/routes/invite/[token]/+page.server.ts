import { redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { attempt } from '$lib/server/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	try {
		const invite = await locals.panic.invites.peek(params.token);
		return { invite, signedIn: !!locals.user, next: url.pathname };
	} catch (e) {
		if (e instanceof AppError) return { problem: e.message, signedIn: !!locals.user, next: url.pathname };
		throw e;
	}
};

export const actions: Actions = {
	default: async ({ locals, params, url }) => {
		const user = locals.user;
		if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
		const result = await attempt({}, () => locals.panic.acceptInvite(params.token, user));
		if ('networkId' in result) redirect(303, `/networks/${result.networkId}`);
		return result;
	}
};
