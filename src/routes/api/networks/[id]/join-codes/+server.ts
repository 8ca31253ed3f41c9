import { json } from '@sveltejs/kit';
import { joinCodeJson } from '$server/audience/join-codes';
import { api, requireUser } from '$server/http/api';

/** Mints a fresh join code (owner or editor): `{ code, url, expiresAt, rotatesAt }`. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { panic } = event.locals;
	const code = await panic.audience.mintCode(event.params.id, user);
	return json(joinCodeJson(code, panic.config.origin ?? event.url.origin), { status: 201 });
});
