import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { REJECT_MAX_BODY, rejectPromptSchema } from '$server/http/request-schemas';

/** Rejects a waiting prompt (owner or editor), with an optional `{ reason }` its sender sees. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const hasBody = (event.request.headers.get('content-type') ?? '').includes('json');
	const { reason } = hasBody ? await readJson(event.request, rejectPromptSchema, REJECT_MAX_BODY) : {};
	return json(await event.locals.panic.audience.reject(event.params.id, user, event.params.promptId, reason));
});
