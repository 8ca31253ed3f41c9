import { beforeAll, describe, expect, test, vi } from 'vitest';
import { AtlasService } from '../../server/atlas/atlas-service';
import { AtlasStore, STORED_PER_NETWORK } from '../../server/atlas/store';
import { FsAssetStore } from '../../server/assets/store';
import { MemoryRateLimits } from '../../server/cluster/counters';
import type { Db } from '../../server/db/connect';
import type { RunEndedEvent } from '../../server/engine/events';
import { RunReader } from '../../server/engine/run-reader';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import type { Atlas } from '../../server/shared/atlas';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

const PROMPTS = ['a red circle on a white background', 'a dream of the sea at dawn', 'two yellow stars over a field'];
const STEPS = 8;

/**
 * Computed atlases are kept in the database (migration 0016): a fresh process (a new
 * AtlasService, nothing in memory) answers an atlas another computed with one read, the same
 * atlas byte for byte, without reading the runs' outputs or spending anyone's rate; the newest
 * few per network are kept, and they go with their network.
 */
describe.each(backends())('stored atlases on $name', ({ open }) => {
	const bed = engineBed(open);
	let db: Db;
	beforeAll(() => ({ db } = bed));

	test('a fresh service serves the stored atlas, identical, without computing it', async () => {
		const assets = new FsAssetStore(bed.assetsDir);
		const { engine, rooms } = bed.boot({ catalogue: Catalogue.builtIn(), assets });
		const networkId = await bed.network(loopGraph('local/paint', 'local/caption'), { pacing: { fixedMs: 0 }, stopOnFixedPoint: false, budgets: { maxInvocations: STEPS } }, rooms);
		const runIds: string[] = [];
		for (const text of PROMPTS) {
			const ended = new Promise<void>((resolve) => {
				const onEnded = (e: RunEndedEvent) => {
					if (e.runId !== runId) return;
					engine.events.off('ended', onEnded);
					resolve();
				};
				engine.events.on('ended', onEnded);
			});
			// Assigned before any event of the run can fire: start() resolves before its first step ends.
			let runId = '';
			({ runId } = await engine.start(networkId, { kind: 'text', text }, bed.userId));
			await ended;
			runIds.push(runId);
		}

		// One computation a minute, counted where both count (as Redis would in a cluster): a
		// second one is refused, so an atlas served was not computed.
		const rates = new MemoryRateLimits();
		const service = () => {
			const runs = new RunReader(db);
			return { runs, atlases: new AtlasService({ db, runs, networks: new Networks(db), assets, rates, perMinute: 1 }) };
		};
		const first = service();
		const computed = await first.atlases.forRuns(networkId, runIds, undefined, 'someone');
		expect(computed.runs).toBe(PROMPTS.length);

		const fresh = service();
		const reads = vi.spyOn(fresh.runs, 'completedOutputsOf');
		const served = await fresh.atlases.forRuns(networkId, [...runIds].reverse(), undefined, 'someone');
		expect(reads).not.toHaveBeenCalled();
		expect(JSON.stringify(served)).toBe(JSON.stringify(computed));
		// Cached in memory from then on.
		expect(await fresh.atlases.forRuns(networkId, runIds, undefined, 'someone')).toBe(served);
		// Other runs are another atlas: computed, so refused by the rate of one.
		await expect(fresh.atlases.forRuns(networkId, runIds.slice(1), undefined, 'someone')).rejects.toMatchObject({ status: 429 });
	}, 120_000);

	test('the newest few per network are kept, and go with the network', async () => {
		const store = new AtlasStore(db);
		const id = 'atlas-store-net';
		await db.insertInto('networks').values({ id, owner_id: bed.userId, name: 'kept atlases', settings: '{}' }).execute();
		const atlas = (n: number) => ({ format: 'panic-atlas', version: { atlas: 1, panic: 'test' }, runs: n, modalities: [], runList: [] }) as Atlas;
		for (let n = 1; n <= STORED_PER_NETWORK + 4; n++) await store.put(AtlasStore.keyOf(['test', n]), id, atlas(n));
		expect(await store.get(AtlasStore.keyOf(['test', 1]))).toBeNull();
		expect(await store.get(AtlasStore.keyOf(['test', STORED_PER_NETWORK + 4]))).toEqual(atlas(STORED_PER_NETWORK + 4));
		const kept = await Promise.all(Array.from({ length: STORED_PER_NETWORK + 4 }, (_, i) => store.get(AtlasStore.keyOf(['test', i + 1]))));
		expect(kept.filter(Boolean)).toHaveLength(STORED_PER_NETWORK);

		await db.deleteFrom('networks').where('id', '=', id).execute();
		expect(await store.get(AtlasStore.keyOf(['test', STORED_PER_NETWORK + 4]))).toBeNull();
	});
});
