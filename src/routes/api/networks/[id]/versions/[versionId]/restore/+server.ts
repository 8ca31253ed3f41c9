import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { readJson } from '$server/http/body';
import { restoreSchema } from '$server/history/versions';

/**
 * Restores a version to the live graph, after saving the graph it replaces (owner and
 * editors; 423 while the canvas is locked). The body is optional: `{inBrowser: true}` is the
 * canvas, which applies the answer's graph itself so the restorer can undo it.
 */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const hasBody = Number(event.request.headers.get('content-length') ?? 0) > 0 || event.request.headers.has('transfer-encoding');
	const options = hasBody ? await readJson(event.request, restoreSchema, event.locals.panic.config.maxJsonBytes) : {};
	return json(await event.locals.panic.versions.restore(event.params.id, event.params.versionId, user, options));
});
