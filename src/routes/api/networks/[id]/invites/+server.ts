import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { createInviteSchema } from '$server/networks/invites';

export const GET = api(async (event) => {
	const user = requireUser(event);
	return json(await event.locals.panic.invites.list(event.params.id, user));
});

export const POST = api(async (event) => {
	const user = requireUser(event);
	const input = await readJson(event.request, createInviteSchema, event.locals.panic.config.maxJsonBytes);
	const invite = await event.locals.panic.invites.create(event.params.id, user, input);
	return json(
		{ id: invite.id, role: invite.role, expiresAt: invite.expiresAt, url: new URL(invite.path, event.url.origin).toString() },
		{ status: 201 }
	);
});
