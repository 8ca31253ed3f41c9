import { api } from '$server/http/api';
import { badRequest } from '$server/errors';
import { runsIoOf } from '$server/runs-io';
import { download } from '$server/runs-io/http';

/**
 * The run as a `panic-run` JSON file with every invocation (streamed). `?format=zip` and
 * `?format=csv` are the same as `export.zip` and `invocations.csv` beside this route.
 */
export const GET = api(async (event) => {
	const io = runsIoOf(event.locals.panic);
	const format = event.url.searchParams.get('format') ?? 'json';
	const { id } = event.params;
	const user = event.locals.user;
	if (format === 'json') return download(await io.exportJson(id, user));
	if (format === 'zip') return download(await io.exportZip(id, user));
	if (format === 'csv') return download(await io.exportCsv(id, user, event.url.origin));
	throw badRequest('format is json, zip or csv.');
});
