import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';

const rejectSchema = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();

/** Rejects a waiting prompt (owner or editor), with an optional `{ reason }` its sender sees. */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const hasBody = (event.request.headers.get('content-type') ?? '').includes('json');
	const { reason } = hasBody ? await readJson(event.request, rejectSchema, 4096) : {};
	return json(await event.locals.panic.audience.reject(event.params.id, user, event.params.promptId, reason));
});
