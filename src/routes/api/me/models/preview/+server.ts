import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { previewModelSchema } from '$server/platforms/replicate/custom';

/** What adding a Replicate model would save: read from its schema, not saved yet. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { ref } = await readJson(event.request, previewModelSchema, event.locals.panic.config.maxJsonBytes);
	return json(await event.locals.panic.modelAdder.preview(user.id, ref));
});
