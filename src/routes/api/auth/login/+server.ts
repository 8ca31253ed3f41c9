import { json } from '@sveltejs/kit';
import { ownAccount } from '$server/auth/display-name';
import { api } from '$server/http/api';
import { readJson } from '$server/http/body';
import { loginSchema } from '$server/http/request-schemas';
import { clientKey, deviceToken, setLoginCookies } from '$lib/server/session-cookie';

export const POST = api(async (event) => {
	const { accounts, config } = event.locals.panic;
	const credentials = await readJson(event.request, loginSchema, config.maxJsonBytes);
	const result = await accounts.login(credentials, clientKey(event), deviceToken(event));
	setLoginCookies(event, result);
	return json({ user: ownAccount(result.user) });
});
