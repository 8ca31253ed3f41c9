import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { REMOVE_AUDIENCE_MAX_BODY, removeAudienceSchema } from '$server/http/request-schemas';

/**
 * Removes many audience members in one action (owner or editor), e.g. a flood of sessions:
 * `{ sessionIds }` → `{ removed, prompts }`. Their waiting prompts are dropped, their streams
 * and sockets closed; ids that are not live sessions of the network are skipped.
 */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { sessionIds } = await readJson(event.request, removeAudienceSchema, REMOVE_AUDIENCE_MAX_BODY);
	return json(await event.locals.panic.audience.removeSessions(event.params.id, user, sessionIds));
});
