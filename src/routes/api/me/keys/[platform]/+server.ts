import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson, validate } from '$server/http/body';
import { keyBodySchema, platformSchema } from '$server/keys/provider-keys';

export const PUT = api(async (event) => {
	const user = requireUser(event);
	const platform = validate(platformSchema, event.params.platform);
	const { key } = await readJson(event.request, keyBodySchema, event.locals.panic.config.maxJsonBytes);
	return json({ key: await event.locals.panic.keys.save(user.id, platform, key) });
});

export const DELETE = api(async (event) => {
	const user = requireUser(event);
	const platform = validate(platformSchema, event.params.platform);
	await event.locals.panic.keys.remove(user.id, platform);
	return json({ ok: true });
});
