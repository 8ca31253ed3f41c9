import { json } from '@sveltejs/kit';
import { ownAccount } from '$server/auth/display-name';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { updateMeSchema } from '$server/http/request-schemas';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json({ user: ownAccount(user), session: { expiresAt: event.locals.session?.expiresAt } });
});

/** `{ displayName }`: the name others see (`null` goes back to the default). */
export const PATCH = api(async (event) => {
	const user = requireUser(event);
	const { accounts, config } = event.locals.panic;
	const { displayName } = await readJson(event.request, updateMeSchema, config.maxJsonBytes);
	return json({ user: ownAccount(await accounts.setDisplayName(user, displayName)) });
});
