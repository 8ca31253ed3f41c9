import { error, redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { canEdit } from '$server/networks/access';
import type { PageServerLoad } from './$types';

// Thin: the experiments service decides access and shapes experiments, as for the JSON API.
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = locals.user;
	if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const { panic } = locals;
	try {
		const { network, role } = await panic.networks.access(params.id, user);
		const experiments = await panic.experiments.list(params.id, user);
		return { network: { id: network.id, name: network.name }, canStart: canEdit(role), experiments };
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
