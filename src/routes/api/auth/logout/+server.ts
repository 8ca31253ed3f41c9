import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';
import { logout } from '$lib/server/session-cookie';

export const POST = api(async (event) => {
	await logout(event);
	return json({ ok: true });
});
