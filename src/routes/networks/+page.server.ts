import { redirect } from '@sveltejs/kit';
import { createNetworkSchema } from '$server/networks/networks';
import { networkFileSchema } from '$server/networks/graph-service';
import { validate } from '$server/http/body';
import { badRequest } from '$server/errors';
import { attempt, field } from '$lib/server/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	return { networks: await locals.panic.networks.list(locals.user) };
};

export const actions: Actions = {
	create: async ({ request, locals }) => {
		if (!locals.user) redirect(303, '/login');
		const user = locals.user;
		const name = field(await request.formData(), 'name');
		const result = await attempt({ name }, async () => {
			const { name: valid } = validate(createNetworkSchema, { name });
			return (await locals.panic.createNetwork(user, valid)).id;
		});
		if (typeof result !== 'string') return result;
		redirect(303, `/networks/${result}`);
	},
	import: async ({ request, locals }) => {
		if (!locals.user) redirect(303, '/login');
		const user = locals.user;
		const file = (await request.formData()).get('file');
		const result = await attempt({}, async () => {
			if (!(file instanceof File) || file.size === 0) throw badRequest('Choose a .panic.json file to import.');
			if (file.size > locals.panic.config.maxJsonBytes) throw badRequest('That file is too large to be a network.');
			let data: unknown;
			try {
				data = JSON.parse(await file.text());
			} catch {
				throw badRequest('That file is not JSON; export a network from PANIC and import that file.');
			}
			return (await locals.panic.importNetwork(user, validate(networkFileSchema, data))).id;
		});
		if (typeof result !== 'string') return result;
		redirect(303, `/networks/${result}`);
	}
};
