import { fail, redirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';
import { clientKey } from '$lib/server/session-cookie';
import type { Actions } from './$types';

/**
 * A code typed off the screen, for phones that cannot scan. The same check the QR link's join
 * makes (case, spaces and dashes ignored, wrong codes limited per address); a code that works
 * goes on to /j/<code>, which joins as a scan does, so joining has one path. Refusals stay on
 * this page, with the field kept.
 */
export const actions: Actions = {
	default: async (event) => {
		const typed = String((await event.request.formData()).get('code') ?? '').slice(0, 64);
		if (!typed.trim()) return fail(400, { typed, reason: 'empty' as const, message: 'Type the code shown on the screen.' });
		let check;
		try {
			check = await event.locals.panic.audience.checkCode(typed, clientKey(event));
		} catch (e) {
			// Too many wrong codes from this address (429), or too many joining at once (503).
			if (!(e instanceof AppError) || (e.status !== 429 && e.status !== 503)) throw e;
			const { retryAfterSeconds } = (e.details ?? {}) as { retryAfterSeconds?: number };
			if (retryAfterSeconds) event.setHeaders({ 'retry-after': String(retryAfterSeconds) });
			return fail(e.status, { typed, reason: 'limited' as const, message: e.message });
		}
		if (check.ok) redirect(303, `/j/${check.code}`);
		if (check.reason === 'unknown') {
			return fail(404, { typed, reason: check.reason, message: 'No event has this code. Check it against the screen.' });
		}
		// Expired or revoked (the event ended): what the scanned link says for both.
		return fail(410, { typed, reason: check.reason, message: 'This code has expired — scan the screen again.' });
	}
};
