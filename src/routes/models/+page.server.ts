import { error } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { queryObject, validate } from '$server/http/body';
import { catalogueFilterSchema, publicModelInfo } from '$server/platforms/catalogue';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
	try {
		const filter = validate(catalogueFilterSchema, queryObject(url));
		const all = locals.panic.catalogue.list();
		const user = locals.user;
		// Logged in: which hosted platforms they hold keys for, and the models they added by name.
		const [keys, mine, availability] = user
			? await Promise.all([locals.panic.keys.list(user.id), locals.panic.customModels.list(user.id), locals.panic.availability.view(user.id)])
			: [null, null, null];
		return {
			filter,
			// Spec fields (system prompts, fixed inputs, billing tables) stay on the server.
			models: locals.panic.catalogue.list(filter).map(publicModelInfo),
			platforms: [...new Set(all.map((m) => m.platform))],
			total: all.length,
			keyPlatforms: keys ? keys.map((k) => k.platform as string) : null,
			mine: mine ? mine.map(publicModelInfo) : null,
			// What the user's keys reach, as the providers last said (null when logged out).
			availability
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
