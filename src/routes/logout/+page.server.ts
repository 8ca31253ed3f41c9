import { redirect } from '@sveltejs/kit';
import { logout } from '$lib/server/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async (event) => {
		await logout(event);
		redirect(303, '/');
	}
};
