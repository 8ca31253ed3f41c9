import { api } from '$server/http/api';
import { runsIoOf } from '$server/runs-io';
import { download } from '$server/runs-io/http';

/** The run as a ZIP: run.json plus assets/<sha256>.<ext> for every image and sound it references. */
export const GET = api(async (event) => download(await runsIoOf(event.locals.panic).exportZip(event.params.id, event.locals.user)));
