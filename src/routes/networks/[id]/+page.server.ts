import { error, redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import type { EditorPageData } from '$lib/editor/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }): Promise<EditorPageData> => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	try {
		const { network, role } = await locals.panic.networks.access(params.id, locals.user);
		return {
			network: { id: network.id, name: network.name, visibility: network.visibility },
			role,
			me: { id: locals.user.id, email: locals.user.email },
			// Deprecated models stay so old networks still render; the palette hides them.
			models: locals.panic.catalogue.list({ includeDeprecated: true })
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
