import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';

/** Withdraws one's own prompt before it starts. */
export const DELETE = api(async (event) => {
	const { user, audience } = event.locals;
	return json(await event.locals.panic.audience.withdraw(event.params.id, { user, audience }, event.params.promptId));
});
