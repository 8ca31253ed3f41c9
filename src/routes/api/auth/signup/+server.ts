import { json } from '@sveltejs/kit';
import { signupSchema } from '$server/auth/accounts';
import { ownAccount } from '$server/auth/display-name';
import { api } from '$server/http/api';
import { readJson } from '$server/http/body';
import { clientKey, setLoginCookies } from '$lib/server/session-cookie';

/** `{ email, password, displayName? }` → a new account and its session cookie. */
export const POST = api(async (event) => {
	const { accounts, config } = event.locals.panic;
	const input = await readJson(event.request, signupSchema, config.maxJsonBytes);
	const result = await accounts.signup(input, clientKey(event));
	setLoginCookies(event, result);
	return json({ user: ownAccount(result.user) }, { status: 201 });
});
