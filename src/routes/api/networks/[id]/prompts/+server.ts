import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';
import { readJson } from '$server/http/body';
import { PROMPT_MAX_BODY, promptSchema } from '$server/http/request-schemas';
import { clientKey } from '$lib/server/session-cookie';

const sender = (event: { locals: App.Locals }) => ({ user: event.locals.user, audience: event.locals.audience });

/** Facilitators: `{ mode, waiting, recent }`; an audience member or other prompter: `{ prompts }` (their own). */
export const GET = api(async (event) => {
	return json(await event.locals.panic.audience.listPrompts(event.params.id, sender(event)));
});

/** A prompt into the queue, from an audience session or an owner/editor: `{ id, status, position }`. */
export const POST = api(async (event) => {
	const { text } = await readJson(event.request, promptSchema, PROMPT_MAX_BODY);
	return json(await event.locals.panic.audience.submitPrompt(event.params.id, sender(event), text, clientKey(event)), { status: 201 });
});
