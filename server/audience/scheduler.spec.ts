import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AppError, badRequest } from '../errors';
import type { StartablePrompt } from './prompt-queue';
import { EngineEvents } from '../engine/events';
import { CAPACITY_RETRY_MS, PromptScheduler, type QueueEngine, type SchedulerQueue } from './scheduler';

/** An in-memory queue with the same transitions as PromptQueue's scheduler side. */
class MemoryQueue implements SchedulerQueue {
	rows: Array<StartablePrompt & { networkId: string; state: string; runId?: string; reason?: string }> = [];
	add(networkId: string, text: string, status: 'queued' | 'approved' = 'queued') {
		this.rows.push({ id: `p${this.rows.length + 1}`, networkId, text, status, userId: null, state: status });
	}
	async next(networkId: string, mode: 'auto' | 'moderated') {
		const row = this.rows.find((r) => r.networkId === networkId && (mode === 'auto' ? ['queued', 'approved'] : ['approved']).includes(r.state));
		return row && { id: row.id, text: row.text, status: row.state as StartablePrompt['status'], userId: null };
	}
	async claim(p: StartablePrompt) {
		const row = this.rows.find((r) => r.id === p.id)!;
		if (row.state !== p.status) return false;
		row.state = 'started';
		return true;
	}
	async unclaim(p: StartablePrompt) {
		this.rows.find((r) => r.id === p.id)!.state = p.status;
	}
	async markStarted(_n: string, id: string, runId: string) {
		this.rows.find((r) => r.id === id)!.runId = runId;
	}
	async markRejected(_n: string, id: string, reason: string) {
		Object.assign(this.rows.find((r) => r.id === id)!, { state: 'rejected', reason });
	}
	states() {
		return this.rows.map((r) => r.state);
	}
}

/** An engine whose lockout runs on the (fake) clock from its last start. */
class FakeEngine implements QueueEngine {
	starts: string[] = [];
	lastStart = new Map<string, number>();
	refuse = new Set<string>();
	paused = false;
	/** The server at its run limit: starts are refused with 429 until this is false. */
	full = false;
	readonly events = new EngineEvents();
	constructor(public lockoutMs: number) {}
	activeRun() {
		return { paused: this.paused };
	}
	/** What the engine says when a run ends (its place under the run limits is free). */
	ended(networkId: string) {
		this.events.emit('ended', { networkId, runId: 'r', cause: 'stopped', completedSteps: 0 });
	}
	async start(networkId: string, input: { kind: string; text?: string }) {
		if (this.refuse.has(input.text!)) throw badRequest('Pick a start node first: the network has none.');
		if (this.full) throw new AppError(429, 'This server is already running 16 runs at once.', { retryAfterSeconds: 30 });
		this.starts.push(input.text!);
		this.lastStart.set(networkId, Date.now());
		return { runId: `run-${this.starts.length}` };
	}
	lockoutSeconds(networkId: string) {
		const last = this.lastStart.get(networkId);
		return last === undefined ? 0 : Math.max(0, (last + this.lockoutMs - Date.now()) / 1000);
	}
}

describe('PromptScheduler', () => {
	let queue: MemoryQueue;
	let engine: FakeEngine;
	let mode: 'auto' | 'moderated';
	let scheduler: PromptScheduler;

	beforeEach(() => {
		vi.useFakeTimers();
		queue = new MemoryQueue();
		engine = new FakeEngine(30_000);
		mode = 'auto';
		scheduler = new PromptScheduler({ queue, engine, mode: async () => mode, minGapMs: 1000, log: { error() {} } });
	});
	afterEach(async () => {
		await scheduler.close();
		vi.useRealTimers();
	});

	test('no timers while idle; one per network with work; none after close', async () => {
		expect(vi.getTimerCount()).toBe(0);
		scheduler.poke('n1'); // nothing queued
		await vi.advanceTimersByTimeAsync(0);
		expect(vi.getTimerCount()).toBe(0);

		queue.add('n1', 'first');
		queue.add('n1', 'second');
		queue.add('n2', 'other');
		scheduler.poke('n1');
		scheduler.poke('n1');
		scheduler.poke('n2');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['first', 'other']);
		// n1 waits out its lockout with one timer; n2 checks once more and goes idle.
		await vi.advanceTimersByTimeAsync(1000);
		expect(vi.getTimerCount()).toBe(1);
		expect(scheduler.busy).toEqual(['n1']);

		await scheduler.close();
		expect(vi.getTimerCount()).toBe(0);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(engine.starts).toEqual(['first', 'other']);
	});

	test('auto mode starts the oldest at once and the next only after the lockout', async () => {
		for (const text of ['a', 'b', 'c']) queue.add('n', text);
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['a']);
		await vi.advanceTimersByTimeAsync(29_000);
		expect(engine.starts).toEqual(['a']);
		await vi.advanceTimersByTimeAsync(1000);
		expect(engine.starts).toEqual(['a', 'b']);
		expect(queue.rows.map((r) => r.runId)).toEqual(['run-1', 'run-2', undefined]);
		await vi.advanceTimersByTimeAsync(30_000);
		expect(engine.starts).toEqual(['a', 'b', 'c']);
		await vi.advanceTimersByTimeAsync(1000);
		expect(vi.getTimerCount()).toBe(0);
	});

	test('a run started directly by a facilitator makes queued prompts wait for its lockout', async () => {
		engine.lastStart.set('n', Date.now()); // someone pressed start
		queue.add('n', 'waiting');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(10_000);
		engine.lastStart.set('n', Date.now()); // and again, 10 s later
		await vi.advanceTimersByTimeAsync(25_000);
		expect(engine.starts).toEqual([]);
		await vi.advanceTimersByTimeAsync(5_000);
		expect(engine.starts).toEqual(['waiting']);
	});

	test('a paused run holds the queue past its lockout, with no timer; resuming lets the next prompt start', async () => {
		engine.lastStart.set('n', Date.now());
		engine.paused = true;
		queue.add('n', 'waiting');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(60_000);
		expect(engine.starts).toEqual([]);
		expect(vi.getTimerCount()).toBe(0);
		// Another network's resume is none of this queue's business.
		engine.events.emit('resumed', { networkId: 'other', runId: 'r0' });
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual([]);
		engine.paused = false;
		engine.events.emit('resumed', { networkId: 'n', runId: 'r1' });
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['waiting']);
	});

	test('a paused run that is stopped lets the queue go on', async () => {
		engine.paused = true;
		queue.add('n', 'waiting');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual([]);
		engine.paused = false; // no active run any more
		engine.ended('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['waiting']);
	});

	test('after close, engine events start nothing', async () => {
		engine.paused = true;
		queue.add('n', 'waiting');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		await scheduler.close();
		engine.paused = false;
		engine.events.emit('resumed', { networkId: 'n', runId: 'r1' });
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual([]);
		expect(engine.events.listenerCount('resumed')).toBe(0);
	});

		test('a prompt the network cannot start is rejected with the reason, and the next one starts', async () => {
		engine.refuse.add('bad');
		queue.add('n', 'bad');
		queue.add('n', 'good');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(queue.rows[0]).toMatchObject({ state: 'rejected', reason: 'Pick a start node first: the network has none.' });
		expect(engine.starts).toEqual(['good']);
	});

	test('unexpected failures are retried, then the prompt is rejected', async () => {
		engine.start = async () => {
			throw new Error('database went away');
		};
		queue.add('n', 'x');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(queue.states()).toEqual(['queued']);
		await vi.advanceTimersByTimeAsync(5000);
		expect(queue.states()).toEqual(['queued']);
		await vi.advanceTimersByTimeAsync(5000);
		expect(queue.rows[0]).toMatchObject({ state: 'rejected', reason: 'The run could not start.' });
		expect(vi.getTimerCount()).toBe(0);
	});

	test('moderated mode starts only approved prompts, in order', async () => {
		mode = 'moderated';
		engine.lockoutMs = 0;
		queue.add('n', 'unapproved');
		queue.add('n', 'approved', 'approved');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['approved']);
		await vi.advanceTimersByTimeAsync(5000);
		expect(engine.starts).toEqual(['approved']);
		expect(vi.getTimerCount()).toBe(0);
	});

	test('at the run limit a prompt keeps its place, and starts as soon as a run ends', async () => {
		engine.full = true;
		queue.add('n', 'patient');
		queue.add('n', 'behind');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual([]);
		expect(queue.states()).toEqual(['queued', 'queued']);
		// Told that a run ended, but the place went to someone else: it waits on.
		engine.ended('elsewhere');
		await vi.advanceTimersByTimeAsync(0);
		expect(queue.states()).toEqual(['queued', 'queued']);
		engine.full = false;
		engine.ended('elsewhere');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['patient']);
	});

	test('at the run limit, a queue looks again by itself after a while', async () => {
		engine.full = true;
		queue.add('n', 'patient');
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		engine.full = false;
		await vi.advanceTimersByTimeAsync(CAPACITY_RETRY_MS - 1);
		expect(engine.starts).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(engine.starts).toEqual(['patient']);
	});

	test('with a lockout of 0, queued prompts still start at least minGapMs apart', async () => {
		engine.lockoutMs = 0;
		for (const text of ['a', 'b', 'c']) queue.add('n', text);
		scheduler.poke('n');
		await vi.advanceTimersByTimeAsync(0);
		expect(engine.starts).toEqual(['a']);
		await vi.advanceTimersByTimeAsync(999);
		expect(engine.starts).toEqual(['a']);
		await vi.advanceTimersByTimeAsync(1);
		expect(engine.starts).toEqual(['a', 'b']);
	});
});
