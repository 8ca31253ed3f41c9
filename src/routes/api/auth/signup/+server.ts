import { json } from '@sveltejs/kit';
import { credentialsSchema } from '$server/auth/accounts';
import { api } from '$server/http/api';
import { readJson } from '$server/http/body';
import { clientKey, setSessionCookie } from '$lib/server/session-cookie';

export const POST = api(async (event) => {
	const { accounts, config } = event.locals.panic;
	const credentials = await readJson(event.request, credentialsSchema, config.maxJsonBytes);
	const { user, token, expiresAt } = await accounts.signup(credentials, clientKey(event));
	setSessionCookie(event, token, expiresAt);
	return json({ user }, { status: 201 });
});
