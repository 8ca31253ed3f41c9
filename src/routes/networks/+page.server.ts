import { redirect } from '@sveltejs/kit';
import { createNetworkSchema } from '$server/networks/networks';
import { networkFileSchema } from '$server/networks/graph-service';
import { EXAMPLE_NETWORKS, exampleByKey, exampleFile } from '$server/networks/examples';
import { validate } from '$server/http/body';
import { badRequest } from '$server/errors';
import { attempt, field } from '$lib/server/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const catalogue = locals.panic.catalogue;
	// What a card needs to show an example: its words and the models it goes through, in order.
	const examples = EXAMPLE_NETWORKS.map((e) => ({
		key: e.key,
		name: e.name,
		summary: e.summary,
		models: e.graph.nodes.map((n) => {
			const m = catalogue.get(n.modelId);
			return { name: m?.name ?? n.modelId, input: m?.input ?? 'text', output: m?.output ?? 'text' };
		})
	}));
	return { networks: await locals.panic.networks.list(locals.user), examples };
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
	/** Copies a ready example into a new network of the caller's and opens its canvas. */
	example: async ({ request, locals }) => {
		if (!locals.user) redirect(303, '/login');
		const user = locals.user;
		const example = exampleByKey(field(await request.formData(), 'key'));
		const result = await attempt({}, async () => {
			if (!example) throw badRequest('There is no such example; reload the page.');
			return (await locals.panic.importNetwork(user, exampleFile(example))).id;
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
