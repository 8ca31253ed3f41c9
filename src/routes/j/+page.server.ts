import { fail, redirect } from '@sveltejs/kit';
import type { Actions } from './$types';

/**
 * A code typed off the screen, for phones that cannot scan. The same check the QR link's join
 * makes (case, spaces and dashes ignored); a code that works goes on to /j/<code>, which joins
 * as a scan does, so joining has one path. Refusals stay on this page, with the field kept.
 */
export const actions: Actions = {
	default: async ({ request, locals }) => {
		const typed = String((await request.formData()).get('code') ?? '').slice(0, 64);
		if (!typed.trim()) return fail(400, { typed, reason: 'empty' as const, message: 'Type the code shown on the screen.' });
		const check = await locals.panic.audience.codes.check(typed);
		if (check.ok) redirect(303, `/j/${check.code}`);
		if (check.reason === 'unknown') {
			return fail(404, { typed, reason: check.reason, message: 'No event has this code. Check it against the screen.' });
		}
		// Expired or revoked (the event ended): what the scanned link says for both.
		return fail(410, { typed, reason: check.reason, message: 'This code has expired — scan the screen again.' });
	}
};
