/**
 * The engine and live availability (issue 12): a step that fails because the provider no longer
 * serves its model marks the model unavailable in the owner's cache at once, and the next start
 * through it is refused before anything runs, naming the model and the step's message.
 */
import { describe, expect, test } from 'vitest';
import { AppError } from '../../server/errors';
import { AvailabilityService } from '../../server/platforms/availability/service';
import { KyselyAvailabilityStore } from '../../server/platforms/availability/store';
import { Catalogue } from '../../server/platforms/catalogue';
import { DUMMY_MODELS } from '../../server/platforms/dummy/index';
import { builtInPlatforms, inProcessPlatform, PlatformError, type Platform } from '../../server/platforms/platform';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

const GONE = 'The provider no longer serves dummy/upper (it was removed).';

describe.each(backends())('availability in the engine on $name', ({ open }) => {
	const bed = engineBed(open);

	test('model_gone mid-run marks the model unavailable, and the next start is refused naming it', async () => {
		const dummy = inProcessPlatform('dummy', DUMMY_MODELS);
		// dummy/upper "disappears" at the provider: every call to it fails as a retired model does.
		const vanishing: Platform = {
			...dummy,
			invoke: (model, input, options) =>
				model.id === 'dummy/upper' ? Promise.reject(new PlatformError(GONE, { kind: 'model_gone', status: 404 })) : dummy.invoke(model, input, options)
		};
		const platforms = builtInPlatforms([vanishing]);
		const catalogue = Catalogue.builtIn({ dummyModels: true });
		const availability = new AvailabilityService({
			store: new KyselyAvailabilityStore(bed.db),
			platforms,
			entries: async () => catalogue.list({ includeDeprecated: true }),
			keyPlatforms: async () => [],
			revealKey: async () => null
		});
		const { engine, rooms } = bed.boot({ platforms, availability });
		const id = await bed.network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 0 } }, rooms);

		const { runId } = await engine.start(id, { kind: 'text', text: 'hi' }, bed.userId);
		await until('the step through dummy/upper failed', async () => (await bed.invocations(runId)).some((i) => i.model_id === 'dummy/upper' && i.state === 'failed'));
		await until('marked', async () => (await availability.view(bed.userId)).models['dummy/upper']?.state === 'unavailable');
		expect((await availability.view(bed.userId)).models['dummy/upper']).toMatchObject({ state: 'unavailable', reason: GONE });
		await engine.stop(runId);

		const refused = await engine.start(id, { kind: 'text', text: 'again' }, bed.userId).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(AppError);
		expect((refused as AppError).status).toBe(400);
		expect((refused as AppError).message).toBe(`Dummy upper (dummy/upper) is not available: ${GONE}`);
	});
});
