import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json({ user, session: { expiresAt: event.locals.session?.expiresAt } });
});
