import { json } from '@sveltejs/kit';
import { joinCodeJson } from '$server/audience/join-codes';
import { api, requireUser } from '$server/http/api';

/** The code the projector shows now, minted when the last one is due to rotate (owner or editor). */
export const GET = api(async (event) => {
	const user = requireUser(event);
	const { panic } = event.locals;
	const code = await panic.audience.currentCode(event.params.id, user);
	return json(joinCodeJson(code, panic.config.origin ?? event.url.origin), { headers: { 'cache-control': 'no-store' } });
});
