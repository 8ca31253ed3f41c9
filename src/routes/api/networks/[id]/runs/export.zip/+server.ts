import { atlasQuerySchema } from '$server/atlas/atlas-service';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';
import { runsIoOf } from '$server/runs-io';
import { download } from '$server/runs-io/http';

/** The network's finished runs (or `?runs=`) as one ZIP: each run's panic-run JSON, their atlas.json and assets. */
export const GET = api(async (event) => {
	const query = validate(atlasQuerySchema, queryObject(event.url));
	const { networkName, runs, atlas } = await event.locals.panic.atlas.withRuns(event.params.id, event.locals.user, query);
	return download(runsIoOf(event.locals.panic).exportSetZip(runs, networkName, atlas));
});
