import { api } from '$server/http/api';
import { runsIoOf } from '$server/runs-io';
import { download } from '$server/runs-io/http';
import { queryObject, validate } from '$server/http/body';
import { runExportQuerySchema } from '$server/http/request-schemas';

/**
 * The run as a `panic-run` JSON file with every invocation (streamed). `?format=zip` and
 * `?format=csv` are the same as `export.zip` and `invocations.csv` beside this route.
 */
export const GET = api(async (event) => {
	const io = runsIoOf(event.locals.panic);
	const { format = 'json' } = validate(runExportQuerySchema, queryObject(event.url));
	const { id } = event.params;
	const user = event.locals.user;
	if (format === 'json') return download(await io.exportJson(id, user));
	if (format === 'zip') return download(await io.exportZip(id, user));
	return download(await io.exportCsv(id, user, event.url.origin));
});
