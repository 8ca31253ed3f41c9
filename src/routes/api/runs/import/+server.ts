import { json } from '@sveltejs/kit';
import { api, requireUser } from '$server/http/api';
import { runsIoOf } from '$server/runs-io';
import { readUpload } from '$server/runs-io/http';

/**
 * Imports a run export (the ZIP, or run.json alone for a run without images or sound) as a
 * new private network owned by the caller, with the run in it → `{ networkId, runId }`.
 */
export const POST = api(async (event) => {
	const user = requireUser(event);
	const io = runsIoOf(event.locals.panic);
	const imported = await io.inImportSlot(async () => io.import(user, await readUpload(event.request, io.limits.maxUploadBytes)));
	return json(imported, { status: 201 });
});
