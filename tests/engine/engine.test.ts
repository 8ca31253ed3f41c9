import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../server/db/connect';
import { cardsOf, runMapOf } from '../../server/engine/feed';
import type { Graph } from '../../server/shared/graph/types';
import { backends } from '../helpers/databases';
import { sleep, until } from '../helpers/wait';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';

describe.each(backends())('engine on $name', ({ open }) => {
	const bed = engineBed(open);
	const { boot, network, invocations, run } = bed;
	let db: Db;
	let userId: string;
	let assetsDir: string;
	beforeAll(() => ({ db, userId, assetsDir } = bed));

	const loop = loopGraph;
	const completed = async (runId: string) => (await invocations(runId)).filter((i) => i.state === 'completed').length;

	test('a dummy loop runs, writes cards and run state to the feed, and stops cleanly', async () => {
		const { engine, rooms } = boot();
		const id = await network(loop('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 20 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'hello' }, userId);
		await until('5 completions', async () => (await completed(runId)) >= 5);
		expect(engine.lockoutSeconds(id)).toBeGreaterThan(25);
		expect(await engine.stop(runId)).toBe(true);
		const stoppedAt = Date.now();
		const rows = await invocations(runId);
		expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
		expect(rows.slice(0, 2).map((r) => [r.node_id, r.output?.kind === 'text' && r.output.text])).toEqual([
			['a', 'hello'],
			['b', 'HELLO']
		]);
		expect(rows.filter((r) => r.state !== 'completed').every((r) => r.state === 'cancelled')).toBe(true);
		expect(rows[1]).toMatchObject({ parent_seq: 1, attempts: 1, exact_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
		expect(await run(runId)).toMatchObject({ status: 'stopped', stop_cause: 'stopped', next_seq: rows.length + 1 });
		expect(engine.lockoutSeconds(id)).toBe(0);

		// Nothing starts again after a stop: wait three pacing intervals.
		await sleep(60);
		const after = await invocations(runId);
		expect(after).toEqual(rows);
		expect(after.every((r) => !r.started_at || r.started_at.getTime() <= stoppedAt)).toBe(true);

		const feed = await rooms.withRoom(`${id}/feed`, (room) =>
			room.read((doc) => ({ cards: cardsOf(doc).toArray(), run: runMapOf(doc).toJSON() }))
		);
		expect(feed.run).toMatchObject({ runId, status: 'stopped', stopCause: 'stopped', runningNodeIds: [], input: { kind: 'text', text: 'hello' } });
		expect(feed.run.step).toBe(rows.filter((r) => r.state === 'completed').length);
		// Phones count the lockout down from this; displays mark running steps by seq.
		const started = (await run(runId)).started_at.getTime();
		expect(Date.parse(feed.run.lockoutUntil as string)).toBe(started + 30_000);
		expect(feed.run.runningSeqs).toEqual([]);
		expect(feed.cards.map((c) => c.seq)).toEqual(rows.filter((r) => r.state === 'completed').map((r) => r.seq));
		expect(feed.cards[1]).toMatchObject({ runId, nodeId: 'b', modelId: 'dummy/upper', kind: 'text', text: 'HELLO' });
	});

	test('fan-out of 3 edges in a loop stays within maxConcurrent and the pending cap; drops are recorded', async () => {
		const { engine, rooms } = boot();
		const graph: Graph = {
			nodes: [
				{ id: 'a', modelId: 'dummy/slow', x: 0, y: 0, params: { ms: 15 } },
				{ id: 'b', modelId: 'dummy/slow', x: 100, y: 0, params: { ms: 15 } }
			],
			edges: [
				{ id: 'ab1', source: 'a', target: 'b' },
				{ id: 'ab2', source: 'a', target: 'b' },
				{ id: 'ab3', source: 'a', target: 'b' },
				{ id: 'ba', source: 'b', target: 'a' }
			],
			startNodeId: 'a'
		};
		const id = await network(graph, { pacing: { fixedMs: 0 }, maxConcurrent: 2, pendingCap: 3, budgets: { maxInvocations: 30 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'x' }, userId);
		await until('the budget', async () => (await run(runId)).status !== 'running', 20_000);
		expect(await run(runId)).toMatchObject({ status: 'stopped', stop_cause: 'budget' });
		const rows = await invocations(runId);
		expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
		expect(rows.filter((r) => r.started_at).length).toBe(30);
		expect(rows.filter((r) => r.state === 'dropped').length).toBeGreaterThan(0);
		// At no instant were more than two running.
		const events = rows
			.filter((r) => r.started_at && r.ended_at)
			.flatMap((r) => [[r.started_at!.getTime(), 1] as const, [r.ended_at!.getTime(), -1] as const])
			.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
		let concurrent = 0;
		let peak = 0;
		for (const [, delta] of events) peak = Math.max(peak, (concurrent += delta));
		expect(peak).toBeLessThanOrEqual(2);
		// The queue never held more than the cap: every queued row was queued when at most 3 were.
		for (const r of rows.filter((r) => r.state === 'dropped')) {
			const newer = rows.filter((o) => o.seq > r.seq && o.queued_at.getTime() <= r.ended_at!.getTime());
			expect(newer.length).toBeGreaterThan(0); // dropped for something newer (latest wins)
		}
	});

	test('a replaced run records nothing after the replacement', async () => {
		const { engine, rooms } = boot();
		const graph = loop('dummy/slow', 'dummy/slow');
		graph.nodes.forEach((n) => (n.params = { ms: 40 }));
		const id = await network(graph, { pacing: { fixedMs: 0 } }, rooms);
		const first = await engine.start(id, { kind: 'text', text: 'old' }, userId);
		await until('some progress', async () => (await completed(first.runId)) >= 2);
		const second = await engine.start(id, { kind: 'text', text: 'new' }, userId);
		const replacedAt = Date.now();
		const snapshot = await invocations(first.runId);
		await until('the new run to progress', async () => (await completed(second.runId)) >= 3);
		expect(await run(first.runId)).toMatchObject({ status: 'stopped', stop_cause: 'replaced' });
		expect(await invocations(first.runId)).toEqual(snapshot);
		expect(snapshot.every((r) => r.state === 'completed' || r.state === 'cancelled')).toBe(true);
		expect(snapshot.filter((r) => r.state === 'completed').every((r) => r.ended_at!.getTime() <= replacedAt)).toBe(true);
		// No output of the old run reached the new one.
		const fresh = await invocations(second.runId);
		expect(fresh.every((r) => r.input.kind === 'text' && r.input.text === 'new')).toBe(true);
		const feed = await rooms.withRoom(`${id}/feed`, (room) => room.read((doc) => runMapOf(doc).toJSON()));
		expect(feed).toMatchObject({ runId: second.runId, status: 'running' });
	});

	test('a run resumes after a crash with its seqs continuing and no duplicates', async () => {
		const first = boot();
		const graph = loop('dummy/slow', 'dummy/echo');
		graph.nodes[0].params = { ms: 30 };
		const id = await network(graph, { pacing: { fixedMs: 10 } }, first.rooms);
		const { runId } = await first.engine.start(id, { kind: 'text', text: 'again' }, userId);
		await until('progress', async () => (await completed(runId)) >= 4);
		// A crash: the process stops without recording anything about the run.
		await first.engine.close();
		await first.rooms.close();
		const before = await invocations(runId);
		expect((await run(runId)).status).toBe('running');

		const second = boot();
		// Earlier tests' runs were left running too (closing an engine keeps them for the next process).
		expect(await second.engine.resume()).toBeGreaterThanOrEqual(1);
		expect(second.engine.activeRun(id)?.runId).toBe(runId);
		await until('more progress', async () => (await completed(runId)) >= before.filter((r) => r.state === 'completed').length + 4);
		await second.engine.stop(runId);
		const after = await invocations(runId);
		expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i + 1));
		expect(new Set(after.map((r) => r.id)).size).toBe(after.length);
		// Whatever was interrupted ran again as a further attempt of the same invocation.
		for (const r of before.filter((r) => r.state === 'running')) {
			expect(after.find((a) => a.id === r.id)).toMatchObject({ attempts: r.attempts + 1 });
		}
		// Every completed one fanned out exactly once: one child per edge.
		const parents = after.filter((r) => r.parent_seq !== null).map((r) => r.parent_seq);
		expect(new Set(parents).size).toBe(parents.length);
	});

	test('a local paint → caption loop reaches a repeated caption within 30 steps', async () => {
		const { engine, rooms } = boot();
		const id = await network(loop('local/paint', 'local/caption'), { pacing: { fixedMs: 0 }, stopOnFixedPoint: true, budgets: { maxInvocations: 30 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'a dream of the sea at dawn' }, userId);
		await until('the run to end', async () => (await run(runId)).status !== 'running', 20_000);
		expect(await run(runId)).toMatchObject({ status: 'completed', stop_cause: 'fixed_point' });
		const rows = await invocations(runId);
		const captions = rows.filter((r) => r.node_id === 'b' && r.state === 'completed').map((r) => (r.output as { text: string }).text);
		expect(new Set(captions).size).toBeLessThan(captions.length);
		expect(rows.length).toBeLessThanOrEqual(30);
		const image = rows.find((r) => r.node_id === 'a')!.output as { kind: string; asset: { sha256: string; ext: string } };
		expect(image).toMatchObject({ kind: 'image', asset: { mime: 'image/png', ext: 'png' } });
		expect(fs.existsSync(path.join(assetsDir, image.asset.sha256.slice(0, 2), `${image.asset.sha256}.png`))).toBe(true);
		const cards = await rooms.withRoom(`${id}/feed`, (room) => room.read((doc) => cardsOf(doc).toArray()));
		expect(cards[0]).toMatchObject({ kind: 'image', url: `/assets/${image.asset.sha256}.png` });
		expect(JSON.stringify(cards)).not.toMatch(/bytes/);
	});

	test('a start node that is missing or takes another modality is refused', async () => {
		const { engine, rooms } = boot();
		const noStart = await network({ ...loop('dummy/echo', 'dummy/echo'), startNodeId: null }, {}, rooms);
		await expect(engine.start(noStart, { kind: 'text', text: 'x' }, userId)).rejects.toMatchObject({ status: 400 });
		const imageFirst = await network(loop('local/caption', 'local/paint'), {}, rooms);
		await expect(engine.start(imageFirst, { kind: 'text', text: 'x' }, userId)).rejects.toMatchObject({
			status: 400,
			message: expect.stringMatching(/takes image, not text/)
		});
		expect(await db.selectFrom('runs').select('id').where('network_id', 'in', [noStart, imageFirst]).execute()).toEqual([]);
	});
});
