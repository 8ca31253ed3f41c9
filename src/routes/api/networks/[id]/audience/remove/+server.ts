import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';

const removeSchema = z.object({ sessionIds: z.array(z.string().min(1).max(64)).min(1).max(1000) }).strict();

/**
 * Removes many audience members in one action (owner or editor), e.g. a flood of sessions:
 * `{ sessionIds }` → `{ removed, prompts }`. Their waiting prompts are dropped, their streams
 * and sockets closed; ids that are not live sessions of the network are skipped.
 */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const { sessionIds } = await readJson(event.request, removeSchema, 128 * 1024);
	return json(await event.locals.panic.audience.removeSessions(event.params.id, user, sessionIds));
});
