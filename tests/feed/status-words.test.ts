import { describe, expect, it } from 'vitest';
import { runStatusWords, statusLine } from '$lib/feed/status-words';
import { runWords } from '$lib/audience/run-words';
import { promptState, type MyPrompt } from '$lib/audience/prompt-api';
import type { FeedRun } from '$shared/feed';

describe('runStatusWords', () => {
	it('says a cause that repeats the status once', () => {
		expect(runStatusWords('stopped', 'stopped')).toBe('stopped');
		expect(runStatusWords('failed', 'error')).toBe('failed');
	});

	it('adds a cause that says something the status does not', () => {
		expect(runStatusWords('stopped', 'budget')).toBe('stopped: budget reached');
		expect(runStatusWords('stopped', 'replaced')).toBe('stopped: replaced by a new run');
		expect(runStatusWords('completed', 'fixed_point')).toBe('completed: fixed point reached');
		expect(runStatusWords('completed', 'dead_end')).toBe('completed: nothing left to run');
		expect(runStatusWords('stopped', 'some_new_cause')).toBe('stopped: some new cause');
	});

	it('shows a live run by its status alone', () => {
		expect(runStatusWords('running', null)).toBe('running');
		expect(runStatusWords('paused', undefined)).toBe('paused');
		// A resumed run can still carry an old cause: it is not over, so the cause is not shown.
		expect(runStatusWords('running', 'stopped')).toBe('running');
	});
});

describe('statusLine', () => {
	it('joins parts once each, without empty ones', () => {
		expect(statusLine(['stopped', 'stopped', '$0.02', '', null, 'step 3'])).toBe('stopped · $0.02 · step 3');
		expect(statusLine([false, undefined])).toBe('');
	});
});

describe('runWords (phone and console)', () => {
	const run = (status: string, stopCause?: string) => ({ runId: 'r', status, step: 1, stopCause }) as unknown as FeedRun;
	it('reads plainly for each state', () => {
		expect(runWords(null)).toBe('Waiting for the first prompt');
		expect(runWords(run('running'))).toBe('Running');
		expect(runWords(run('paused'))).toBe('Paused');
		expect(runWords(run('stopped', 'stopped'))).toBe('Stopped');
		// The phone shows the loop's finding on its own line; the status does not repeat it.
		expect(runWords(run('completed', 'fixed_point'))).toBe('Stopped');
		expect(runWords(run('failed', 'error'))).toBe('Stopped with an error');
	});
});

describe('promptState (the sender sees where a prompt is)', () => {
	const prompt = (status: string, extra: Partial<MyPrompt> = {}): MyPrompt => ({ id: 'p', text: 'sea', status, reason: null, runId: null, position: null, ...extra });
	const run = (runId: string, status: string) => ({ runId, status, step: 1 }) as unknown as FeedRun;

	it('gives the place in the queue', () => {
		expect(promptState(prompt('queued', { position: 1 }))).toBe('Next in the queue');
		expect(promptState(prompt('queued', { position: 3 }))).toBe('Number 3 in the queue');
		expect(promptState(prompt('approved', { position: 2 }))).toBe('Approved — number 2 in the queue');
	});

	it('follows its run: running now, paused, done', () => {
		const started = prompt('started', { runId: 'r1' });
		expect(promptState(started, run('r1', 'running'))).toBe('Running now');
		expect(promptState(started, run('r1', 'paused'))).toBe('Its run is paused');
		expect(promptState(started, run('r1', 'stopped'))).toBe('Done: its run has ended');
		expect(promptState(started, run('r2', 'running'))).toBe('Done: its run has ended');
		expect(promptState(started, null)).toBe('Started a run');
	});

	it('says why it was not used', () => {
		expect(promptState(prompt('rejected', { reason: 'off topic' }))).toBe('Not used: off topic');
		expect(promptState(prompt('dropped'))).toBe('Dropped');
	});
});
