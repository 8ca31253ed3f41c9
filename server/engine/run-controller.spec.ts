import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { StopCause, StoredPayload } from '../db/schema';
import { DUMMY_MODELS } from '../platforms/dummy/index';
import { PlatformError } from '../platforms/platform';
import type { Payload } from '../shared/platforms/types';
import { cardsOf, FeedWriter, runMapOf, setRunState } from './feed';
import type { PendingInvocation } from './ledger';
import { RunController, type InvocationOutcome } from './run-controller';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from './settings';
import { MemoryLedger } from './testing';

const models = new Map(DUMMY_MODELS.map((m) => [m.info.id, m]));
const text = (t: string): StoredPayload => ({ kind: 'text', text: t });

interface Harness {
	controller: RunController;
	ledger: MemoryLedger;
	doc: Y.Doc;
	stops: StopCause[];
	maxRunning: () => number;
	calls: () => number;
}

/**
 * A run over dummy models with an in-memory ledger and a feed doc; `onStop` does what the
 * engine does (closes the ledger's run). Timers are vitest's fakes.
 */
function harness(
	nodes: Record<string, string>,
	edges: [string, string][],
	settings: Partial<RunSettings> = {},
	invoke?: (p: PendingInvocation, signal: AbortSignal) => Promise<InvocationOutcome>,
	options: { paused?: boolean; lastStartedAt?: Date } = {}
): Harness {
	const ledger = new MemoryLedger();
	const doc = new Y.Doc();
	const feed = new FeedWriter({ change: async (fn) => doc.transact(() => fn(doc), 'engine') });
	const [startNode] = Object.keys(nodes);
	const first = ledger.seed('run1', { nodeId: startNode, modelId: nodes[startNode] }, text('a dream of the sea'));
	setRunState(doc, { runId: 'run1', status: 'running' });
	const stops: StopCause[] = [];
	let running = 0;
	let maxRunning = 0;
	let calls = 0;
	const controller = new RunController(
		{
			runId: 'run1',
			networkId: 'net',
			startedAt: new Date(Date.now()),
			settings: { ...DEFAULT_RUN_SETTINGS, ...settings },
			nodes: new Map(Object.entries(nodes)),
			edges: edges.map(([source, target]) => ({ source, target }))
		},
		{ pending: [first], started: 0, completed: 0, spendUsd: 0, paused: options.paused, lastStartedAt: options.lastStartedAt },
		{
			ledger,
			feed,
			async invoke(p, signal) {
				calls++;
				running++;
				maxRunning = Math.max(maxRunning, running);
				try {
					if (invoke) return await invoke(p, signal);
					const output = await models.get(p.modelId)!.run(p.input as Payload, { ...models.get(p.modelId)!.info.defaults }, signal);
					return { output: output as StoredPayload };
				} finally {
					running--;
				}
			},
			onStop(cause) {
				stops.push(cause);
				ledger.finish();
			},
			random: () => 0.5,
			retry: { baseDelayMs: 100 }
		}
	);
	return { controller, ledger, doc, stops, maxRunning: () => maxRunning, calls: () => calls };
}

describe('RunController', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('runs a loop at the pacing, and a stop leaves no timer and starts nothing again', async () => {
		const h = harness({ a: 'dummy/echo', b: 'dummy/upper' }, [['a', 'b'], ['b', 'a']], { pacing: { fixedMs: 1000 } });
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(4500);
		// Starts at 0, 1, 2, 3, 4 s.
		expect(h.ledger.count('completed')).toBe(5);
		expect(h.ledger.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(cardsOf(h.doc).toArray().map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
		expect(cardsOf(h.doc).get(1)).toMatchObject({ runId: 'run1', nodeId: 'b', kind: 'text', text: 'A DREAM OF THE SEA' });
		expect(runMapOf(h.doc).get('step')).toBe(5);

		h.controller.close();
		h.ledger.finish();
		await h.controller.settled();
		expect(vi.getTimerCount()).toBe(0);
		const calls = h.calls();
		await vi.advanceTimersByTimeAsync(3000);
		expect(h.calls()).toBe(calls);
		expect(h.ledger.count('cancelled')).toBe(1);
		expect(h.stops).toEqual([]);
	});

	it('fan-out of 3 edges in a loop stays within maxConcurrent and the pending cap, dropping the oldest', async () => {
		const h = harness(
			{ a: 'dummy/slow', b: 'dummy/slow' },
			[['a', 'b'], ['a', 'b'], ['a', 'b'], ['b', 'a']],
			{ pacing: { fixedMs: 0 }, maxConcurrent: 2, pendingCap: 3, budgets: { maxInvocations: 40, maxDurationSeconds: null, maxSpendUsd: null } }
		);
		let maxPending = 0;
		const timer = setInterval(() => (maxPending = Math.max(maxPending, h.controller.snapshot.pending.length)), 10);
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(60_000);
		clearInterval(timer);
		expect(h.maxRunning()).toBe(2);
		expect(maxPending).toBeLessThanOrEqual(3);
		expect(h.ledger.count('dropped')).toBeGreaterThan(0);
		expect(h.stops).toEqual(['budget']);
		// Dropped ones are always older than every invocation still queued when they were dropped.
		expect(h.ledger.count('completed')).toBe(40);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('a chain without a loop ends as a dead end', async () => {
		const h = harness({ a: 'dummy/echo', b: 'dummy/upper' }, [['a', 'b']], { pacing: { fixedMs: 10 } });
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(100);
		expect(h.stops).toEqual(['dead_end']);
		expect(h.ledger.count('completed')).toBe(2);
		expect(vi.getTimerCount()).toBe(0);
	});

	it("onError 'stop' ends the run at the first failure", async () => {
		const h = harness({ a: 'dummy/echo', f: 'dummy/fail', b: 'dummy/echo' }, [['a', 'f'], ['a', 'b'], ['b', 'a']], {
			pacing: { fixedMs: 10 }
		});
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(200);
		expect(h.stops).toEqual(['error']);
		expect(h.ledger.rows.find((r) => r.nodeId === 'f')).toMatchObject({ state: 'failed', error: 'dummy/fail always fails' });
		expect(vi.getTimerCount()).toBe(0);
	});

	it("onError 'continue' lets the other branches go on", async () => {
		const h = harness({ a: 'dummy/echo', f: 'dummy/fail', b: 'dummy/echo' }, [['a', 'f'], ['a', 'b'], ['b', 'a']], {
			pacing: { fixedMs: 10 },
			onError: 'continue'
		});
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(500);
		expect(h.stops).toEqual([]);
		expect(h.ledger.count('failed')).toBeGreaterThan(3);
		expect(h.ledger.count('completed')).toBeGreaterThan(10);
		h.controller.close();
		await h.controller.settled();
		expect(vi.getTimerCount()).toBe(0);
	});

	it('retries retryable failures with backoff, counting attempts', async () => {
		let failures = 2;
		const h = harness({ a: 'dummy/echo' }, [], { pacing: { fixedMs: 0 } }, async (p) => {
			if (failures-- > 0) throw new PlatformError('busy', { retryable: true });
			return { output: p.input };
		});
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(50);
		expect(h.ledger.rows[0]).toMatchObject({ state: 'running', attempts: 2 });
		await vi.advanceTimersByTimeAsync(200);
		expect(h.ledger.rows[0]).toMatchObject({ state: 'completed', attempts: 3 });
		expect(h.stops).toEqual(['dead_end']);
	});

	it('times out a model that does not answer, and fails it after maxAttempts', async () => {
		const h = harness({ a: 'dummy/slow' }, [], { pacing: { fixedMs: 0 }, invocationTimeoutSeconds: 1, maxAttempts: 2 }, (p, signal) =>
			models.get('dummy/slow')!.run(p.input as Payload, { ms: 60_000 }, signal).then((output) => ({ output: output as StoredPayload }))
		);
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(5000);
		expect(h.ledger.rows[0]).toMatchObject({ state: 'failed', attempts: 2 });
		expect(h.ledger.rows[0].error).toMatch(/did not answer within 1 s/);
		expect(h.stops).toEqual(['error']);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('closing aborts an in-flight call; a result that arrives anyway is neither recorded nor fanned out', async () => {
		let release!: () => void;
		const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 0 } }, async (p) => {
			await new Promise<void>((r) => (release = r)); // ignores the abort signal
			return { output: p.input };
		});
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(10);
		h.controller.close();
		h.ledger.finish();
		release();
		await h.controller.settled();
		expect(h.ledger.rows.map((r) => r.state)).toEqual(['cancelled']);
		expect(cardsOf(h.doc).length).toBe(0);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('the max-duration budget ends the run from its own timer', async () => {
		const h = harness({ a: 'dummy/echo' }, [['a', 'a']], {
			pacing: { fixedMs: 1000 },
			budgets: { maxInvocations: null, maxDurationSeconds: 5, maxSpendUsd: null }
		});
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(5000);
		expect(h.stops).toEqual(['budget']);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('stops at a fixed point when asked to', async () => {
		const h = harness({ a: 'dummy/upper' }, [['a', 'a']], { pacing: { fixedMs: 10 }, stopOnFixedPoint: true });
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(1000);
		expect(h.stops).toEqual(['fixed_point']);
		expect(h.ledger.count('completed')).toBe(2); // "A DREAM…" twice
	});

	it('a replaced run never writes over the run map of its successor', async () => {
		const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 1000 } });
		h.controller.begin();
		await vi.advanceTimersByTimeAsync(10);
		setRunState(h.doc, { runId: 'run2', status: 'running', step: 0 }, true);
		await vi.advanceTimersByTimeAsync(2000);
		expect(runMapOf(h.doc).toJSON()).toEqual({ runId: 'run2', status: 'running', step: 0 });
		h.controller.close();
	});

	describe('pause and resume', () => {
		/** A model call taking `ms` of (fake) time, aborted with the run. */
		const takes = (ms: number) => (p: PendingInvocation, signal: AbortSignal) =>
			new Promise<InvocationOutcome>((resolve, reject) => {
				const timer = setTimeout(() => resolve({ output: p.input }), ms);
				signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
			});
		const startedCount = (h: Harness) => h.ledger.rows.filter((r) => r.attempts > 0).length;

		it('a pause starts nothing new and keeps no pacing timer; the running call finishes and fans out; resume goes on', async () => {
			const h = harness({ a: 'dummy/echo', b: 'dummy/echo' }, [['a', 'b'], ['b', 'a']], { pacing: { fixedMs: 1000 } }, takes(500));
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(1250); // #1 done at 500, #2 started at 1000, running
			expect(startedCount(h)).toBe(2);
			expect(h.controller.pause()).toBe(true);
			expect(h.controller.pause()).toBe(false); // already paused
			await vi.advanceTimersByTimeAsync(3 * 1000);
			// #2 finished while paused, was recorded and fanned out into the queue; nothing started.
			expect(startedCount(h)).toBe(2);
			expect(h.ledger.count('completed')).toBe(2);
			expect(h.controller.snapshot).toMatchObject({ pending: [3], running: [], paused: true });
			expect(cardsOf(h.doc).length).toBe(2);
			expect(vi.getTimerCount()).toBe(0);
			expect(h.stops).toEqual([]);

			expect(h.controller.resume()).toBe(true);
			expect(h.controller.resume()).toBe(false);
			await vi.advanceTimersByTimeAsync(0);
			expect(startedCount(h)).toBe(3); // at once: the pacing interval passed during the pause
			await vi.advanceTimersByTimeAsync(2000);
			expect(startedCount(h)).toBe(5);
			expect(h.ledger.rows.map((r) => r.seq)).toEqual(h.ledger.rows.map((_, i) => i + 1));

			h.controller.close();
			h.ledger.finish();
			await h.controller.settled();
			expect(vi.getTimerCount()).toBe(0);
		});

		it('after a resume the next step keeps to the pacing from the last start, not from the resume', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 10_000 } });
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(2000); // #1 started at 0 and done; #2 due at 10 s
			expect(startedCount(h)).toBe(1);
			h.controller.pause();
			await vi.advanceTimersByTimeAsync(2000);
			h.controller.resume(); // at 4 s: due at 10 s still, not at 14 s
			await vi.advanceTimersByTimeAsync(5999);
			expect(startedCount(h)).toBe(1);
			await vi.advanceTimersByTimeAsync(1);
			expect(startedCount(h)).toBe(2);
			h.controller.close();
			h.ledger.finish();
			await h.controller.settled();
		});

		it('a run resumed after a restart keeps to the pacing from its stored last start', async () => {
			// The last step started 3 s before the restart's resume; pacing asks for 10 s between starts.
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 10_000 } }, undefined, {
				lastStartedAt: new Date(Date.now() - 3000)
			});
			h.controller.begin();
			expect(h.controller.snapshot.nextStartAt).toBe(Date.now() + 7000);
			await vi.advanceTimersByTimeAsync(6999);
			expect(h.calls()).toBe(0);
			await vi.advanceTimersByTimeAsync(1);
			expect(h.calls()).toBe(1);
			h.controller.close();
			h.ledger.finish();
			await h.controller.settled();
		});

		it('a run that starts paused (resumed after a restart) waits for resume', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 100 } }, undefined, { paused: true });
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(1000);
			expect(h.calls()).toBe(0);
			expect(h.controller.isPaused).toBe(true);
			expect(vi.getTimerCount()).toBe(0);
			h.controller.resume();
			await vi.advanceTimersByTimeAsync(450);
			expect(h.calls()).toBe(5);
			h.controller.close();
			await h.controller.settled();
			expect(vi.getTimerCount()).toBe(0);
		});

		it('pausing drops the pacing timer; closing a paused run leaves no timer at all', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a'], ['a', 'a']], {
				pacing: { fixedMs: 100 },
				budgets: { maxInvocations: null, maxDurationSeconds: 60, maxSpendUsd: null }
			}, takes(30));
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(50); // #1 done at 30, two queued behind pacing
			expect(vi.getTimerCount()).toBe(2); // pacing and the duration budget
			h.controller.pause();
			expect(vi.getTimerCount()).toBe(1); // the budget keeps counting; no pacing
			h.controller.close();
			h.ledger.finish();
			await h.controller.settled();
			expect(vi.getTimerCount()).toBe(0);
			expect(h.ledger.rows.map((r) => r.state)).toEqual(['completed', 'cancelled', 'cancelled']);
			expect(h.controller.resume()).toBe(false);
			expect(vi.getTimerCount()).toBe(0);
		});

		it('the max-duration budget keeps counting while paused', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], {
				pacing: { fixedMs: 1000 },
				budgets: { maxInvocations: null, maxDurationSeconds: 5, maxSpendUsd: null }
			});
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(1500);
			h.controller.pause();
			await vi.advanceTimersByTimeAsync(3400);
			expect(h.stops).toEqual([]);
			await vi.advanceTimersByTimeAsync(200);
			expect(h.stops).toEqual(['budget']);
			expect(h.calls()).toBe(2);
			expect(vi.getTimerCount()).toBe(0);
		});

		it('a paused run whose last call leads nowhere ends as a dead end', async () => {
			const h = harness({ a: 'dummy/echo' }, [], { pacing: { fixedMs: 0 } }, takes(100));
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(10);
			h.controller.pause();
			await vi.advanceTimersByTimeAsync(200);
			expect(h.stops).toEqual(['dead_end']);
			expect(vi.getTimerCount()).toBe(0);
		});
	});

	describe('live settings', () => {
		it('a faster pacing takes effect at once: fixedMs 2000 changed to 10', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 2000 } });
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(100);
			expect(h.calls()).toBe(1);
			h.controller.updateSettings({ ...h.controller.plan.settings, pacing: { fixedMs: 10 } });
			await vi.advanceTimersByTimeAsync(0);
			expect(h.calls()).toBe(2); // the next start was already due under the new pacing
			await vi.advanceTimersByTimeAsync(100);
			expect(h.calls()).toBeGreaterThanOrEqual(11);
			h.controller.close();
			await h.controller.settled();
			expect(vi.getTimerCount()).toBe(0);
		});

		it('a slower pacing holds the next start back from the last one', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 100 } });
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(250); // starts at 0, 100, 200
			expect(h.calls()).toBe(3);
			h.controller.updateSettings({ ...h.controller.plan.settings, pacing: { fixedMs: 5000 } });
			expect(h.controller.snapshot.nextStartAt).toBe(h.controller.plan.startedAt.getTime() + 200 + 5000);
			await vi.advanceTimersByTimeAsync(4900);
			expect(h.calls()).toBe(3);
			await vi.advanceTimersByTimeAsync(100);
			expect(h.calls()).toBe(4);
			h.controller.close();
			await h.controller.settled();
			expect(vi.getTimerCount()).toBe(0);
		});

		it('maxConcurrent and budgets apply live; a paused run takes settings without starting', async () => {
			let inFlight = 0;
			let peak = 0;
			const h = harness({ a: 'dummy/echo' }, [['a', 'a'], ['a', 'a'], ['a', 'a']], { pacing: { fixedMs: 0 }, maxConcurrent: 1 }, async (p) => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await new Promise((r) => setTimeout(r, 100));
				inFlight--;
				return { output: p.input };
			});
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(350);
			expect(peak).toBe(1);
			h.controller.pause();
			h.controller.updateSettings({ ...h.controller.plan.settings, maxConcurrent: 3 });
			await vi.advanceTimersByTimeAsync(150);
			expect(inFlight).toBe(0);
			h.controller.resume();
			await vi.advanceTimersByTimeAsync(50);
			expect(inFlight).toBe(3);
			const calls = h.calls();
			h.controller.updateSettings({ ...h.controller.plan.settings, budgets: { maxInvocations: calls, maxDurationSeconds: null, maxSpendUsd: null } });
			await vi.advanceTimersByTimeAsync(200);
			expect(h.calls()).toBe(calls);
			expect(h.stops).toEqual(['budget']);
			expect(vi.getTimerCount()).toBe(0);
		});

		it('a shorter max duration re-arms its timer', async () => {
			const h = harness({ a: 'dummy/echo' }, [['a', 'a']], { pacing: { fixedMs: 1000 } });
			h.controller.begin();
			await vi.advanceTimersByTimeAsync(2500);
			h.controller.updateSettings({ ...h.controller.plan.settings, budgets: { maxInvocations: null, maxDurationSeconds: 3, maxSpendUsd: null } });
			await vi.advanceTimersByTimeAsync(400);
			expect(h.stops).toEqual([]);
			await vi.advanceTimersByTimeAsync(200);
			expect(h.stops).toEqual(['budget']);
			expect(vi.getTimerCount()).toBe(0);
		});
	});
});
