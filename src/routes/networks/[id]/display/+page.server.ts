import { error, redirect } from '@sveltejs/kit';
import { displaySchema } from '$server/displays/screens';
import { AppError } from '$server/errors';
import type { PageServerLoad } from './$types';

/**
 * A display screen for people who may see the network, laid out by the query:
 * `?kind=grid&rows=2&cols=3` or `?kind=single&stride=3&offset=0&showRunning=1`.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const q = url.searchParams;
	const num = (name: string, fallback: number) => (q.has(name) ? Number(q.get(name)) : fallback);
	const kind = q.get('kind') ?? 'grid';
	const parsed = displaySchema.safeParse(
		kind === 'single'
			? { kind, single: { stride: num('stride', 1), offset: num('offset', 0), showRunning: ['1', 'true', 'yes'].includes(q.get('showRunning') ?? '') } }
			: { kind, grid: { rows: num('rows', 2), cols: num('cols', 3) } }
	);
	if (!parsed.success) error(400, `This display address is not right: ${parsed.error.issues[0]?.message ?? 'check kind, rows, cols, stride and offset'}.`);
	try {
		await locals.panic.networks.access(params.id, locals.user);
	} catch (e) {
		if (e instanceof AppError) {
			if (!locals.user && e.status === 401) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
			error(e.status, e.message);
		}
		throw e;
	}
	return { feedUrl: `/api/networks/${encodeURIComponent(params.id)}/feed`, layout: parsed.data };
};
