import { describe, expect, test } from 'vitest';
import { runLine } from '$lib/feed/run-line';
import type { FeedRun } from '$shared/feed';

const run = (parts: Partial<FeedRun>): FeedRun => ({ runId: 'r', status: 'running', step: 0, runningNodeIds: [], ...parts });

describe('runLine', () => {
	test('a running run: its step, and the mean time a step took', () => {
		const startedAt = '2026-01-01T00:00:00.000Z';
		const now = Date.parse(startedAt) + 36_000;
		expect(runLine(run({ step: 12, startedAt }), { now })).toBe('Running · step 12 · 3 s a step');
		expect(runLine(run({ step: 12, startedAt }), { now, rate: false })).toBe('Running · step 12');
		expect(runLine(run({ step: 0, startedAt }), { now })).toBe('Running · starting');
	});

	test('paused, and the ways a run ends, each said once', () => {
		expect(runLine(run({ status: 'paused', step: 12 }))).toBe('Paused at step 12');
		expect(runLine(run({ status: 'stopped', stopCause: 'fixed_point', step: 40 }))).toBe('Stopped at step 40 — fixed point');
		expect(runLine(run({ status: 'completed', stopCause: 'fixed_point', step: 40 }))).toBe('Stopped at step 40 — fixed point');
		expect(runLine(run({ status: 'stopped', stopCause: 'stopped', step: 40 }))).toBe('Stopped at step 40');
		expect(runLine(run({ status: 'stopped', stopCause: 'budget', step: 9 }))).toBe('Stopped at step 9 — budget reached');
		expect(runLine(run({ status: 'stopped', stopCause: 'replaced', step: 3 }))).toBe('Replaced by a new run at step 3');
		expect(runLine(run({ status: 'completed', stopCause: 'dead_end', step: 5 }))).toBe('Finished at step 5 — nothing left to do');
		expect(runLine(run({ status: 'failed', stopCause: 'error', step: 2 }))).toBe('Failed at step 2');
		expect(runLine(null)).toBe('No run yet');
	});
});

