import { error, redirect } from '@sveltejs/kit';
import { atlasQuerySchema } from '$server/atlas/atlas-service';
import { AppError } from '$server/errors';
import { validate } from '$server/http/body';
import { atlasForView } from '$shared/atlas';
import type { PageServerLoad } from './$types';

/** The network's attractor atlas (`?runs=<id>,…` for some of its runs, `?embedder=` for another embedder). */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	try {
		const { network } = await locals.panic.networks.access(params.id, locals.user);
		const query = validate(atlasQuerySchema, {
			...(url.searchParams.get('runs') ? { runs: url.searchParams.get('runs') } : {}),
			...(url.searchParams.get('embedder') ? { embedder: url.searchParams.get('embedder') } : {})
		});
		const started = performance.now();
		const atlas = await locals.panic.atlas.forNetwork(params.id, locals.user, query);
		// The view's part only: the run list and basins' run ids are in atlas.json, not the page.
		return {
			network: { id: network.id, name: network.name },
			atlas: atlasForView(atlas),
			computedMs: Math.round(performance.now() - started),
			runs: query.runs ? atlas.runList.map((r) => r.runId).join(',') : null
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
