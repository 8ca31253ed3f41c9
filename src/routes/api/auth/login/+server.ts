import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { ownAccount } from '$server/auth/display-name';
import { api } from '$server/http/api';
import { readJson } from '$server/http/body';
import { clientKey, deviceToken, setLoginCookies } from '$lib/server/session-cookie';

// Log-in checks only shape, not password rules, so old accounts keep working if rules change.
const loginSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) });

export const POST = api(async (event) => {
	const { accounts, config } = event.locals.panic;
	const credentials = await readJson(event.request, loginSchema, config.maxJsonBytes);
	const result = await accounts.login(credentials, clientKey(event), deviceToken(event));
	setLoginCookies(event, result);
	return json({ user: ownAccount(result.user) });
});
