import { error, redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { canEdit } from '$server/networks/access';
import type { PageServerLoad } from './$types';

// Thin: the experiments service decides access and shapes the experiment, as for the JSON API.
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = locals.user;
	if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const { panic } = locals;
	try {
		const { results: _results, ...experiment } = await panic.experiments.get(params.id, user);
		const { role } = await panic.networks.access(experiment.networkId, user);
		return { experiment, canCancel: canEdit(role) || user.is_admin };
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
