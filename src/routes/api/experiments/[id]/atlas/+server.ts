import { json } from '@sveltejs/kit';
import { experimentAtlasQuerySchema } from '$server/atlas/atlas-service';
import { conflict } from '$server/errors';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';

/** The attractor atlas of the experiment's finished runs (the experiments service checks who may see it). */
export const GET = api(async (event) => {
	const { panic, user } = event.locals;
	const query = validate(experimentAtlasQuerySchema, queryObject(event.url));
	const { networkId, runIds } = await panic.experiments.finishedRuns(event.params.id, user);
	if (!runIds.length) throw conflict('None of this experiment’s runs has finished yet.');
	return json(await panic.atlas.forRuns(networkId, runIds, query.embedder, user?.id ?? 'anonymous'));
});
