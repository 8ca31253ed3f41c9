import { api } from '$server/http/api';
import { runsIoOf } from '$server/runs-io';
import { download } from '$server/runs-io/http';

/** The run's invocations as CSV (one row each, by seq). */
export const GET = api(async (event) =>
	download(await runsIoOf(event.locals.panic).exportCsv(event.params.id, event.locals.user, event.url.origin))
);
