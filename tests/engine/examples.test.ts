import { beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_NETWORKS } from '../../server/networks/examples';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { until } from '../helpers/wait';

// Every example network runs on the built-in models alone (no keys) and keeps going round.
describe.each(backends())('example networks on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, invocations, run } = bed;
	let userId: string;
	beforeAll(() => ({ userId } = bed));

	test.each(EXAMPLE_NETWORKS.map((e) => [e.name, e] as const))('%s runs at least 3 steps with no keys', async (_name, example) => {
		const { engine, rooms } = boot();
		const id = await network(example.graph, { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 12 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'a red circle above a hot blue sea' }, userId);
		await until('the run to end', async () => (await run(runId)).status !== 'running', 20_000);
		const rows = await invocations(runId);
		const completed = rows.filter((r) => r.state === 'completed');
		expect(rows.filter((r) => r.state === 'failed')).toEqual([]);
		expect(completed.length).toBeGreaterThanOrEqual(3);
		// It went round: some node ran more than once, fed by the loop.
		expect(new Set(completed.map((r) => r.node_id)).size).toBeLessThan(completed.length);
		console.info(`[examples] ${example.name}: ${completed.length} steps, ended by ${(await run(runId)).stop_cause}`);
	});
});
