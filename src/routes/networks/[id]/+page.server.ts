import { error, redirect } from '@sveltejs/kit';
import { displayName } from '$server/auth/display-name';
import { AppError } from '$server/errors';
import { publicModelInfo } from '$server/platforms/catalogue';
import { EMPTY_AVAILABILITY } from '$shared/platforms/availability-view';
import type { EditorPageData } from '$lib/editor/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }): Promise<EditorPageData> => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	try {
		const { network, role } = await locals.panic.networks.access(params.id, locals.user);
		const graph = await locals.panic.graphs.get(params.id, locals.user);
		const { missingKeys } = await locals.panic.runs.overview(params.id, locals.user);
		// Members see the network as its owner's keys reach it; people in through visibility do not.
		const availability = await locals.panic
			.networkAvailability(params.id, locals.user)
			.catch((e) => (e instanceof AppError ? EMPTY_AVAILABILITY : Promise.reject(e)));
		const custom = await locals.panic.customModels.forEditor(
			locals.user.id,
			network.ownerId,
			graph.nodes.map((n) => n.modelId)
		);
		return {
			network: { id: network.id, name: network.name, visibility: network.visibility },
			role,
			me: { id: locals.user.id, name: displayName(locals.user) },
			// Deprecated models stay so old networks still render; the palette hides them.
			// Models added by name: the user's own, plus any the graph already uses.
			models: [...locals.panic.catalogue.list({ includeDeprecated: true }), ...custom].map(publicModelInfo),
			missingKeys,
			availability
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
