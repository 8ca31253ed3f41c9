import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { StoredPayload } from '../../server/db/schema';
import { RunWriter } from '../../server/engine/run-writer';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

/**
 * The fencing token on `runs` (migration 0010): whoever takes a run over bumps `lease`, and a
 * holder's writes match its own token, so a holder that lost the run (frozen past its lease,
 * cut off from Redis) records nothing more. Also: one running run per network.
 */
const text = (t: string): StoredPayload => ({ kind: 'text', text: t });
const at = new Date('2025-01-01T00:00:00Z');
const none = { existing: [], arriving: 0 };

describe.each(backends())('run fencing on $name', ({ open }) => {
	const bed = engineBed(open);

	/** A network with a fresh run, its first invocation queued. */
	async function freshRun() {
		const { rooms } = bed.boot();
		const networkId = await bed.network(loopGraph('dummy/echo', 'dummy/upper'), {}, rooms);
		const writer = new RunWriter(bed.db);
		const created = await writer.create({ networkId, startedBy: null, input: text('in'), settings: {}, graph: {}, first: { nodeId: 'a', modelId: 'dummy/echo' } });
		return { writer, networkId, ...created };
	}

	/** Every stored column of the run and its invocations, to see that nothing changed. */
	const rowsOf = async (runId: string) => ({
		run: await bed.run(runId),
		invocations: await bed.invocations(runId)
	});

	test('a holder whose run was taken over writes nothing; the new holder goes on', async () => {
		const { writer, runId, first } = await freshRun();
		const a = (await writer.takeOver(runId, 'process-a', 3))!;
		expect(a).toMatchObject({ lease: 1, first: true, pausedAt: null });
		expect(a.recovered.pending.map((p) => p.seq)).toEqual([1]);
		const stale = writer.holding(a.lease);
		expect(await stale.markRunning(runId, first.id, 1, at)).toBe(true);

		// Process B takes it over (A froze): the interrupted invocation is queued again, attempts kept.
		const b = (await writer.takeOver(runId, 'process-b', 3))!;
		expect(b).toMatchObject({ lease: 2, first: false });
		expect(b.recovered.pending.map((p) => [p.seq, p.attempts])).toEqual([[1, 1]]);
		const current = writer.holding(b.lease);
		expect(await current.markRunning(runId, first.id, 2, at)).toBe(true);

		const before = await rowsOf(runId);
		expect(before.run).toMatchObject({ status: 'running', lease_holder: 'process-b' });
		expect(Number(before.run.lease)).toBe(2);
		// A wakes up: every write it tries matches nothing.
		expect(await stale.markRunning(runId, first.id, 2, at)).toBe(false);
		expect(await stale.complete(runId, { ...first, attempts: 1 }, { output: text('late'), at }, [{ nodeId: 'b', modelId: 'dummy/upper' }], none)).toBeNull();
		expect(await stale.fail(runId, first.id, 'late failure', at)).toBe(false);
		expect(await stale.setPaused(runId, at)).toBe(false);
		expect(await stale.updateSettings(runId, { pacing: { fixedMs: 1 } })).toBe(false);
		expect(await stale.finish(runId, 'budget', at)).toBe(false);
		expect(await rowsOf(runId)).toEqual(before);
		expect(await writer.standing(runId)).toEqual({ status: 'running', lease: 2 });

		// B's writes land, seqs going on from where they were.
		const queued = await current.complete(runId, { ...first, attempts: 2 }, { output: text('out'), at }, [{ nodeId: 'b', modelId: 'dummy/upper' }], none);
		expect(queued?.map((q) => q.seq)).toEqual([2]);
		expect(await current.finish(runId, 'stopped', at)).toBe(true);
		expect((await bed.invocations(runId)).map((i) => [i.seq, i.state])).toEqual([
			[1, 'completed'],
			[2, 'cancelled']
		]);
		// An ended run is taken by nobody.
		expect(await writer.takeOver(runId, 'process-c', 3)).toBeNull();
	});

	test('a start ends the running run of its network in its own transaction; the index allows one running run', async () => {
		const { writer, networkId, runId: old } = await freshRun();
		const next = await writer.create({ networkId, startedBy: null, input: text('again'), settings: {}, graph: {}, first: { nodeId: 'a', modelId: 'dummy/echo' } });
		expect(next.replaced).toEqual([old]);
		expect(await bed.run(old)).toMatchObject({ status: 'stopped', stop_cause: 'replaced' });
		expect((await bed.invocations(old)).map((i) => i.state)).toEqual(['cancelled']);
		expect(await bed.run(next.runId)).toMatchObject({ status: 'running' });
		// Written past the engine (as two processes racing would): refused.
		await expect(sql`update runs set status = 'running', stop_cause = null where id = ${old}`.execute(bed.db)).rejects.toThrow(/runs_one_running_per_lane|unique/);
	});
});
