import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';
import { catalogueFilterSchema, filterModels, publicModelInfo } from '$server/platforms/catalogue';

export const GET = api(async ({ url, locals }) => {
	const filter = validate(catalogueFilterSchema, queryObject(url));
	// Models the user added by name come after the curated ones, marked as theirs.
	const mine = locals.user ? filterModels(await locals.panic.customModels.list(locals.user.id), filter) : [];
	return json([...locals.panic.catalogue.list(filter).map(publicModelInfo), ...mine.map((m) => ({ ...publicModelInfo(m), custom: true }))]);
});
