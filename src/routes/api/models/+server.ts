import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';
import { queryObject, validate } from "$server/http/body";
import { catalogueFilterSchema } from '$server/platforms/catalogue';

export const GET = api(async ({ url, locals }) => {
	const filter = validate(catalogueFilterSchema, queryObject(url));
	return json(locals.panic.catalogue.list(filter));
});
