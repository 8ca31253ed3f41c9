import { beforeAll, describe, expect, test } from 'vitest';
import { AtlasService } from '../../server/atlas/atlas-service';
import { atlasShape } from '../../server/atlas/atlas-schema';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import type { Engine } from '../../server/engine/engine';
import type { RunEndedEvent } from '../../server/engine/events';
import { RunReader } from '../../server/engine/run-reader';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import type { Atlas } from '../../server/shared/atlas';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

const PROMPTS = [
	'a red circle on a white background',
	'a blue square in the rain',
	'a green triangle at night',
	'a dream of the sea at dawn',
	'two yellow stars over a field',
	'a purple house with one window'
];
const STEPS = 12;

/**
 * Reproducible (issue 16): the same experiment made twice with the built-in models (paint ↔
 * caption, 6 prompts × 1 run × 12 steps, on two networks) gives the same atlas, run ids apart.
 */
describe.each(backends())('the atlas of an experiment made twice on $name', ({ open }) => {
	const bed = engineBed(open);
	let db: Db;
	beforeAll(() => ({ db } = bed));

	/** Runs every prompt on a fresh paint ↔ caption network, one after the other; their ids. */
	async function experiment(engine: Engine, rooms: Parameters<typeof bed.network>[2]): Promise<{ networkId: string; runIds: string[] }> {
		const networkId = await bed.network(
			loopGraph('local/paint', 'local/caption'),
			{ pacing: { fixedMs: 0 }, stopOnFixedPoint: false, budgets: { maxInvocations: STEPS } },
			rooms
		);
		const runIds: string[] = [];
		for (const text of PROMPTS) {
			// Listening before the start: a quick run may end before start() returns.
			const ended = new Map<string, RunEndedEvent>();
			let wake: () => void = () => {};
			const onEnded = (e: RunEndedEvent) => {
				ended.set(e.runId, e);
				wake();
			};
			engine.events.on('ended', onEnded);
			try {
				const { runId } = await engine.start(networkId, { kind: 'text', text }, bed.userId);
				while (!ended.has(runId)) await new Promise<void>((resolve) => (wake = resolve));
				expect(ended.get(runId)!.completedSteps).toBe(STEPS);
				runIds.push(runId);
			} finally {
				engine.events.off('ended', onEnded);
			}
		}
		return { networkId, runIds };
	}

	test('same clusters, basins, steps and periods; basins sum to the runs', async () => {
		const assets = new FsAssetStore(bed.assetsDir);
		const { engine, rooms } = bed.boot({ catalogue: Catalogue.builtIn(), assets });
		const first = await experiment(engine, rooms);
		const second = await experiment(engine, rooms);

		const atlases = new AtlasService({ db, runs: new RunReader(db), networks: new Networks(db), assets });
		const a = await atlases.forRuns(first.networkId, first.runIds);
		// The second in reverse start order: the order runs are given in must not matter.
		const b = await atlases.forRuns(second.networkId, [...second.runIds].reverse());

		expect(atlasShape.safeParse(a).success).toBe(true);
		expect(a.runs).toBe(PROMPTS.length);
		expect(a.modalities.map((m) => m.kind)).toEqual(['text', 'image']);
		for (const m of a.modalities) {
			expect(m.attractors.reduce((sum, x) => sum + x.basin, 0)).toBe(PROMPTS.length);
			expect(m.embedder).toMatch(/^local\//);
			for (const x of m.attractors) expect(x.medianStepsToReach).toBeGreaterThanOrEqual(1);
		}
		expect(withoutRunIds(b)).toEqual(withoutRunIds(a));
		// A second look at the same runs (in any order) is the cached atlas, not a recomputation.
		expect(await atlases.forRuns(first.networkId, [...first.runIds].reverse())).toBe(a);
	}, 120_000);
});

/** The atlas with every run id replaced by the prompt it was started with (ids are all that may differ). */
function withoutRunIds(atlas: Atlas): unknown {
	const promptOf = new Map(atlas.runList.map((r) => [r.runId, r.prompt]));
	return JSON.parse(JSON.stringify(atlas, (key, value) => (key === 'runId' ? promptOf.get(value) : key === 'runIds' ? value.map((id: string) => promptOf.get(id)) : value)));
}
