import { error } from '@sveltejs/kit';
import { readAudienceCookie, setAudienceCookie } from '$server/audience/cookie';
import { AppError } from '$server/errors';
import { audienceStage } from '$lib/server/audience-stage';
import { clientKey } from '$lib/server/session-cookie';
import type { PageServerLoad } from './$types';

/**
 * The phone page behind the QR code. No login: the code joins the audience (the cookie is
 * set here), or a phone already in this network's audience keeps its seat. A code that no
 * longer works is only an error for phones without a seat.
 */
export const load: PageServerLoad = async (event) => {
	const { locals, params } = event;
	let session = locals.audience && !locals.audience.revoked ? locals.audience : null;
	try {
		const joined = await locals.panic.audience.join(params.code, readAudienceCookie(event), clientKey(event));
		if (joined.token) setAudienceCookie(event, joined.token, joined.session.expiresAt);
		session = joined.session;
	} catch (e) {
		if (!(e instanceof AppError)) throw e;
		// Removed people are told so, even if they scan again.
		if (e.status === 403) return { removed: true as const, message: e.message };
		if (!session) error(e.status, { message: e.message, reason: (e.details as { reason?: string } | undefined)?.reason });
	}
	const stage = await audienceStage(locals.panic, session.networkId);
	return {
		removed: false as const,
		networkId: session.networkId,
		label: session.label,
		name: stage.name,
		lockoutSeconds: stage.lockoutSeconds
	};
};
