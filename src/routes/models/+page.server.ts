import { error } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { queryObject, validate } from "$server/http/body";
import { catalogueFilterSchema } from '$server/platforms/catalogue';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url, locals }) => {
	try {
		const filter = validate(catalogueFilterSchema, queryObject(url));
		const all = locals.panic.catalogue.list();
		return {
			filter,
			models: locals.panic.catalogue.list(filter),
			platforms: [...new Set(all.map((m) => m.platform))],
			total: all.length
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
