import { error, redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { audienceStage } from '$lib/server/audience-stage';
import { currentJoinQr } from '$lib/server/join-qr';
import type { PageServerLoad } from './$types';

/** The projector (owner or editor): the join QR, refreshed before it rotates, and the live feed. */
export const load: PageServerLoad = async ({ locals, params, url, depends }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	depends('panic:join-code');
	try {
		await locals.panic.networks.requireEditor(params.id, locals.user);
		const [join, stage] = await Promise.all([
			currentJoinQr(locals.panic, params.id, locals.user, url),
			audienceStage(locals.panic, params.id)
		]);
		return { networkId: params.id, name: stage.name, lockoutSeconds: stage.lockoutSeconds, join };
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
