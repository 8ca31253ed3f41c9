import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredPayload } from '../../server/db/schema';
import type { Completion, PendingInvocation, RunLifecycleLedger } from '../../server/engine/ledger';
import { RunReader } from '../../server/engine/run-reader';
import { RunWriter } from '../../server/engine/run-writer';
import { MemoryLedger } from '../../server/engine/testing';
import { Networks } from '../../server/networks/networks';
import { createUser } from '../audience/setup';
import { backends, type TestDatabase } from '../helpers/databases';

/**
 * One contract, three ledgers: the in-memory one the controller's unit tests run on and the
 * database's RunWriter on PGlite and on PostgreSQL. Whatever the controller may rely on (seqs,
 * drops, nothing recorded after the run ends, what a restart resumes from) holds for all.
 */
interface Row {
	seq: number;
	parentSeq: number | null;
	state: string;
	attempts: number;
}

interface Bed {
	ledger: RunLifecycleLedger;
	/** A fresh run with its first invocation queued (seq 1). */
	start(): Promise<{ runId: string; first: PendingInvocation }>;
	/** The run's invocations by seq. */
	rows(runId: string): Promise<Row[]>;
}

const text = (t: string): StoredPayload => ({ kind: 'text', text: t });
const at = new Date('2025-01-01T00:00:00Z');
const done = (t: string, extra: Partial<Completion> = {}): Completion => ({ output: text(t), at, ...extra });
const to = (...nodeIds: string[]) => nodeIds.map((nodeId) => ({ nodeId, modelId: `m-${nodeId}` }));
const none = { existing: [], arriving: 0 };
const shape = (rows: Row[]) => rows.map((r) => `${r.seq}<${r.parentSeq ?? '-'} ${r.state}`);

function memoryBed(): Bed {
	// One MemoryLedger holds one run: each start gets its own, found again by run id.
	const ledgers = new Map<string, MemoryLedger>();
	let runs = 0;
	const of = (runId: string) => ledgers.get(runId)!;
	return {
		ledger: {
			markRunning: (runId, id, attempts, at) => of(runId).markRunning(runId, id, attempts, at),
			complete: (runId, ...rest) => of(runId).complete(runId, ...rest),
			fail: (runId, id, error) => of(runId).fail(runId, id, error),
			finish: (runId) => of(runId).finish(),
			recover: (runId, maxAttempts) => of(runId).recover(runId, maxAttempts)
		},
		async start() {
			const runId = `run${++runs}`;
			const ledger = new MemoryLedger();
			ledgers.set(runId, ledger);
			return { runId, first: ledger.seed(runId, to('a')[0], text('in')) };
		},
		async rows(runId) {
			return [...of(runId).rows].sort((a, b) => a.seq - b.seq);
		}
	};
}

const databaseBed = (backend: ReturnType<typeof backends>[number]) => {
	let database: TestDatabase;
	let networkId: string;
	let writer: RunWriter;
	let reader: RunReader;
	const bed: Bed = {
		get ledger() {
			return writer;
		},
		async start() {
			const { runId, first } = await writer.create({ networkId, startedBy: null, input: text('in'), settings: {}, graph: {}, first: to('a')[0] });
			return { runId, first };
		},
		async rows(runId) {
			return reader.invocations(runId, 0, 1000);
		}
	};
	return {
		bed,
		async open() {
			database = await backend.open();
			writer = new RunWriter(database.db);
			reader = new RunReader(database.db);
			const owner = await createUser(database.db);
			networkId = (await new Networks(database.db).create(owner, 'contract')).id;
		},
		close: () => database?.close()
	};
};

const beds: Array<[string, () => { bed: Bed; open?(): Promise<void>; close?(): Promise<unknown> }]> = [
	['memory', () => ({ bed: memoryBed() })],
	...backends().map((b): [string, () => ReturnType<typeof databaseBed>] => [b.name, () => databaseBed(b)])
];

describe.each(beds)('run ledger contract: %s', (_name, make) => {
	const made = make();
	const { bed } = made;
	const ledger = () => bed.ledger;
	beforeAll(async () => made.open?.());
	afterAll(async () => made.close?.());

	test('seqs come one after another across fan-outs, each arrival taking its parent\'s output', async () => {
		const { runId, first } = await bed.start();
		expect(first).toMatchObject({ seq: 1, parentSeq: null, attempts: 0 });
		expect(await ledger().markRunning(runId, first.id, 1, at)).toBe(true);
		const [b, c] = (await ledger().complete(runId, first, done('one'), to('b', 'c'), none))!;
		expect([b, c]).toMatchObject([
			{ seq: 2, parentSeq: 1, nodeId: 'b', modelId: 'm-b', input: text('one'), attempts: 0 },
			{ seq: 3, parentSeq: 1, nodeId: 'c', input: text('one') }
		]);
		expect(await ledger().markRunning(runId, b.id, 1, at)).toBe(true);
		expect(await ledger().markRunning(runId, c.id, 1, at)).toBe(true);
		expect(await ledger().fail(runId, c.id, 'no luck', at)).toBe(true);
		const [d] = (await ledger().complete(runId, b, done('two'), to('a'), none))!;
		expect(d).toMatchObject({ seq: 4, parentSeq: 2 });
		expect(shape(await bed.rows(runId))).toEqual(['1<- completed', '2<1 completed', '3<1 failed', '4<2 queued']);
	});

	test('drops: queued ones named are dropped, and the first arrivals are recorded dropped', async () => {
		const { runId, first } = await bed.start();
		await ledger().markRunning(runId, first.id, 1, at);
		const [b, c] = (await ledger().complete(runId, first, done('one'), to('b', 'c'), none))!;
		await ledger().markRunning(runId, b.id, 1, at);
		// c waits in the queue; b's completion drops it and the first of its two arrivals.
		const queued = await ledger().complete(runId, b, done('two'), to('d', 'e'), { existing: [c.id], arriving: 1 });
		expect(queued).toHaveLength(1);
		expect(queued![0]).toMatchObject({ seq: 5, nodeId: 'e' });
		expect(shape(await bed.rows(runId))).toEqual(['1<- completed', '2<1 completed', '3<1 dropped', '4<2 dropped', '5<2 queued']);
	});

	test('only a running invocation completes or fails', async () => {
		const { runId, first } = await bed.start();
		expect(await ledger().complete(runId, first, done('early'), to('b'), none)).toBeNull();
		expect(await ledger().fail(runId, first.id, 'early', at)).toBe(false);
		expect(shape(await bed.rows(runId))).toEqual(['1<- queued']);
	});

	test('once the run is finished nothing more is recorded: transitions answer false or null', async () => {
		const { runId, first } = await bed.start();
		await ledger().markRunning(runId, first.id, 1, at);
		const [b, c] = (await ledger().complete(runId, first, done('one'), to('b', 'c'), none))!;
		await ledger().markRunning(runId, b.id, 1, at);
		expect(await ledger().finish(runId, 'stopped', at)).toBe(true);
		expect(await ledger().finish(runId, 'stopped', at)).toBe(false);
		// A late result of b, a start of c: neither lands.
		expect(await ledger().complete(runId, b, done('late'), to('a'), none)).toBeNull();
		expect(await ledger().fail(runId, b.id, 'late', at)).toBe(false);
		expect(await ledger().markRunning(runId, c.id, 1, at)).toBe(false);
		expect(shape(await bed.rows(runId))).toEqual(['1<- completed', '2<1 cancelled', '3<1 cancelled']);
	});

	test('recover: interrupted ones queue again with their attempts, or fail at the limit; the rest is counted', async () => {
		const { runId, first } = await bed.start();
		await ledger().markRunning(runId, first.id, 1, at);
		const [b, c] = (await ledger().complete(runId, first, done('one', { costUsd: 0.25, exactHash: 'h1' }), to('b', 'c'), none))!;
		// b interrupted on its first attempt, c on its third (the limit).
		await ledger().markRunning(runId, b.id, 1, at);
		const lastStart = new Date(at.getTime() + 5000);
		await ledger().markRunning(runId, c.id, 3, lastStart);
		const recovered = await ledger().recover(runId, 3, at);
		// Pacing goes on from the latest start, the interrupted ones' included.
		expect(recovered.lastStartedAt?.getTime()).toBe(lastStart.getTime());
		expect(recovered.pending).toEqual([{ id: b.id, seq: 2, nodeId: 'b', modelId: 'm-b', parentSeq: 1, input: text('one'), attempts: 1 }]);
		// first and c were started; b is about to be started again and counts then.
		expect(recovered).toMatchObject({ started: 2, completed: 1, spendUsd: 0.25 });
		expect(recovered.history).toEqual([{ seq: 1, nodeId: 'a', exactHash: 'h1' }]);
		expect(shape(await bed.rows(runId))).toEqual(['1<- completed', '2<1 queued', '3<1 failed']);
		// The run goes on from there: the re-queued one runs as attempt 2.
		expect(await ledger().markRunning(runId, b.id, 2, at)).toBe(true);
		expect((await bed.rows(runId))[1]).toMatchObject({ state: 'running', attempts: 2 });
	});
});
