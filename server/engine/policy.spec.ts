import { describe, expect, it } from 'vitest';
import {
	budgetExhausted,
	fanOutTargets,
	isDeadEnd,
	lockoutRemainingSeconds,
	nextStartAtMs,
	nextStep,
	pacingDelayMs,
	type PumpState,
	pendingDrops,
	statusFor
} from './policy';
import { DEFAULT_PACING, DEFAULT_RUN_SETTINGS, resolveRunSettings, runSettingsSchema } from './settings';

const min = 60_000;

describe('pacing: 1 s for the first 10 min, 15 s until an hour, then 10 min', () => {
	it.each([
		[0, 1000],
		[9 * min, 1000],
		[10 * min - 1, 1000],
		[10 * min, 15_000],
		[59 * min, 15_000],
		[60 * min - 1, 15_000],
		[60 * min, 600_000],
		[24 * 60 * min, 600_000]
	])('at %i ms into the run waits %i ms', (elapsed, delay) => {
		expect(pacingDelayMs(elapsed, DEFAULT_PACING)).toBe(delay);
	});

	it('treats a negative elapsed time (clock skew) as the start', () => {
		expect(pacingDelayMs(-5000, DEFAULT_PACING)).toBe(1000);
	});

	it('honours a fixed delay, including 0', () => {
		expect(pacingDelayMs(0, { fixedMs: 250 })).toBe(250);
		expect(pacingDelayMs(10 * 60 * min, { fixedMs: 0 })).toBe(0);
	});

	it('uses thenMs past an empty or exhausted schedule', () => {
		expect(pacingDelayMs(0, { schedule: [], thenMs: 42 })).toBe(42);
		expect(pacingDelayMs(5000, { schedule: [{ untilSeconds: 5, delayMs: 1 }], thenMs: 42 })).toBe(42);
	});
});

describe('fan-out: one target per outgoing edge', () => {
	const edges = [
		{ source: 'a', target: 'b' },
		{ source: 'a', target: 'c' },
		{ source: 'b', target: 'a' },
		{ source: 'a', target: 'b' }, // parallel edge: two arrivals
		{ source: 'c', target: 'c' } // self loop
	];
	it('lists targets in edge order, parallel edges twice', () => {
		expect(fanOutTargets(edges, 'a')).toEqual(['b', 'c', 'b']);
		expect(fanOutTargets(edges, 'b')).toEqual(['a']);
		expect(fanOutTargets(edges, 'c')).toEqual(['c']);
		expect(fanOutTargets(edges, 'z')).toEqual([]);
	});
});

describe('pending cap: latest wins, oldest dropped first', () => {
	it.each([
		// pending, arrivals, cap → drop existing, drop arriving
		[0, 1, 5, 0, 0],
		[4, 1, 5, 0, 0],
		[5, 1, 5, 1, 0],
		[5, 3, 5, 3, 0],
		[2, 3, 4, 1, 0],
		[2, 3, 1, 2, 2],
		[0, 3, 1, 0, 2],
		[0, 0, 1, 0, 0],
		[7, 0, 5, 2, 0] // a lowered cap trims on the next arrival round
	])('%i pending + %i arriving under cap %i drops %i pending and %i arriving', (pending, arriving, cap, dropExisting, dropArriving) => {
		const drops = pendingDrops(pending, arriving, cap);
		expect(drops).toEqual({ existing: dropExisting, arriving: dropArriving });
		expect(pending - drops.existing + arriving - drops.arriving).toBeLessThanOrEqual(Math.max(cap, pending - drops.existing));
	});

	it('never drops more than there is', () => {
		for (let p = 0; p < 6; p++)
			for (let a = 0; a < 6; a++)
				for (let cap = 1; cap < 6; cap++) {
					const d = pendingDrops(p, a, cap);
					expect(d.existing).toBeLessThanOrEqual(p);
					expect(d.arriving).toBeLessThanOrEqual(a);
					expect(p + a - d.existing - d.arriving).toBe(Math.min(p + a, cap));
				}
	});
});

describe('budgets', () => {
	const none = DEFAULT_RUN_SETTINGS.budgets;
	it('none set: never exhausted', () => {
		expect(budgetExhausted({ started: 1e9, elapsedMs: 1e12, spendUsd: 1e6 }, none)).toBe(false);
	});
	it('max invocations counts starts', () => {
		const b = { ...none, maxInvocations: 3 };
		expect(budgetExhausted({ started: 2, elapsedMs: 0, spendUsd: 0 }, b)).toBe(false);
		expect(budgetExhausted({ started: 3, elapsedMs: 0, spendUsd: 0 }, b)).toBe(true);
	});
	it('max duration in seconds', () => {
		const b = { ...none, maxDurationSeconds: 60 };
		expect(budgetExhausted({ started: 0, elapsedMs: 59_999, spendUsd: 0 }, b)).toBe(false);
		expect(budgetExhausted({ started: 0, elapsedMs: 60_000, spendUsd: 0 }, b)).toBe(true);
	});
	it('max spend (placeholder until hosted platforms report costs)', () => {
		const b = { ...none, maxSpendUsd: 0.5 };
		expect(budgetExhausted({ started: 0, elapsedMs: 0, spendUsd: 0.49 }, b)).toBe(false);
		expect(budgetExhausted({ started: 0, elapsedMs: 0, spendUsd: 0.5 }, b)).toBe(true);
	});
});

describe('dead end, lockout, status', () => {
	it('dead end only with nothing pending and nothing running', () => {
		expect(isDeadEnd(0, 0)).toBe(true);
		expect(isDeadEnd(1, 0)).toBe(false);
		expect(isDeadEnd(0, 1)).toBe(false);
	});
	it('lockout counts down whole seconds from the run start', () => {
		expect(lockoutRemainingSeconds(null, 1000, 30)).toBe(0);
		expect(lockoutRemainingSeconds(0, 0, 30)).toBe(30);
		expect(lockoutRemainingSeconds(0, 29_001, 30)).toBe(1);
		expect(lockoutRemainingSeconds(0, 30_000, 30)).toBe(0);
		expect(lockoutRemainingSeconds(0, 99_000, 30)).toBe(0);
		expect(lockoutRemainingSeconds(0, 0, 0)).toBe(0);
	});
	it('maps stop causes to run statuses', () => {
		expect(statusFor('dead_end')).toBe('completed');
		expect(statusFor('fixed_point')).toBe('completed');
		expect(statusFor('error')).toBe('failed');
		expect(statusFor('stopped')).toBe('stopped');
		expect(statusFor('replaced')).toBe('stopped');
		expect(statusFor('budget')).toBe('stopped');
	});
});

describe('run settings', () => {
	it('fills defaults (maxConcurrent 2, lockout 30 s, the installation pacing)', () => {
		expect(resolveRunSettings({})).toEqual(DEFAULT_RUN_SETTINGS);
		expect(resolveRunSettings(undefined).maxConcurrent).toBe(2);
		expect(resolveRunSettings({}).lockoutSeconds).toBe(30);
	});
	it('keeps stored values and merges budgets', () => {
		const s = resolveRunSettings({ maxConcurrent: 4, pacing: { fixedMs: 100 }, budgets: { maxInvocations: 10 } });
		expect(s.maxConcurrent).toBe(4);
		expect(s.pacing).toEqual({ fixedMs: 100 });
		expect(s.budgets).toEqual({ maxInvocations: 10, maxDurationSeconds: null, maxSpendUsd: null });
	});
	it('falls back to defaults when what is stored no longer validates', () => {
		expect(resolveRunSettings({ maxConcurrent: 'lots' })).toEqual(DEFAULT_RUN_SETTINGS);
	});
	it.each([
		[{ maxConcurrent: 0 }],
		[{ maxConcurrent: 1.5 }],
		[{ pendingCap: 0 }],
		[{ pacing: { fixedMs: -1 } }],
		[{ pacing: { fixedMs: 1, thenMs: 2 } }],
		[{ onError: 'explode' }],
		[{ colour: 'red' }],
		[{ budgets: { maxInvocations: 0 } }]
	])('rejects %j', (value) => {
		expect(runSettingsSchema.safeParse(value).success).toBe(false);
	});
});

describe('the pump: what to do next', () => {
	const base: PumpState = { paused: false, pending: 1, running: 0, maxConcurrent: 2, budgetExhausted: false, msUntilNextStart: 0 };
	const step = (over: Partial<PumpState>) => nextStep({ ...base, ...over });

	it('starts when something is pending, there is room, pacing allows and nothing is paused', () => {
		expect(step({})).toEqual({ action: 'start' });
		expect(step({ msUntilNextStart: -500 })).toEqual({ action: 'start' });
		expect(step({ running: 1 })).toEqual({ action: 'start' });
	});

	it('waits for pacing, exactly the time left', () => {
		expect(step({ msUntilNextStart: 1234 })).toEqual({ action: 'wait', ms: 1234 });
	});

	it('holds at maxConcurrent, and when nothing is pending but something runs', () => {
		expect(step({ running: 2 })).toEqual({ action: 'hold' });
		expect(step({ running: 3, maxConcurrent: 2 })).toEqual({ action: 'hold' }); // lowered live
		expect(step({ pending: 0, running: 1 })).toEqual({ action: 'hold' });
	});

	it('a pause holds every start, whatever pacing says, and sets no pacing wait', () => {
		expect(step({ paused: true })).toEqual({ action: 'hold' });
		expect(step({ paused: true, msUntilNextStart: 5000 })).toEqual({ action: 'hold' });
		expect(step({ paused: true, pending: 5, running: 1 })).toEqual({ action: 'hold' });
	});

	it('a dead end ends the run, paused or not', () => {
		expect(step({ pending: 0, running: 0 })).toEqual({ action: 'end', cause: 'dead_end' });
		expect(step({ pending: 0, running: 0, paused: true })).toEqual({ action: 'end', cause: 'dead_end' });
		expect(step({ pending: 0, running: 0, budgetExhausted: true })).toEqual({ action: 'end', cause: 'dead_end' });
	});

	it('a used-up budget ends the run once nothing runs (paused or not), and holds until then', () => {
		expect(step({ budgetExhausted: true })).toEqual({ action: 'end', cause: 'budget' });
		expect(step({ budgetExhausted: true, paused: true })).toEqual({ action: 'end', cause: 'budget' });
		expect(step({ budgetExhausted: true, running: 1 })).toEqual({ action: 'hold' });
		expect(step({ budgetExhausted: true, running: 1, msUntilNextStart: 0 })).toEqual({ action: 'hold' });
	});

	it('never starts beyond maxConcurrent in any combination', () => {
		for (const paused of [false, true])
			for (const pending of [0, 1, 5])
				for (const running of [0, 1, 2, 3])
					for (const budget of [false, true])
						for (const ms of [-1, 0, 10]) {
							const s = { paused, pending, running, maxConcurrent: 2, budgetExhausted: budget, msUntilNextStart: ms };
							const next = nextStep(s);
							if (next.action === 'start') {
								expect(paused || budget || pending === 0 || running >= 2 || ms > 0).toBe(false);
							}
							if (next.action === 'wait') expect(next.ms).toBeGreaterThan(0);
						}
	});
});

describe('next start time under (changed) pacing', () => {
	it('is now when nothing started yet', () => {
		expect(nextStartAtMs(null, { fixedMs: 2000 })).toBe(0);
	});
	it('is the last start plus the pacing delay at that point of the run', () => {
		expect(nextStartAtMs({ atMs: 10_000, elapsedMs: 0 }, { fixedMs: 2000 })).toBe(12_000);
		expect(nextStartAtMs({ atMs: 10_000, elapsedMs: 0 }, { fixedMs: 10 })).toBe(10_010);
		expect(nextStartAtMs({ atMs: 10_000, elapsedMs: 11 * 60_000 }, DEFAULT_PACING)).toBe(25_000);
	});
	it("never comes sooner than the server's floor for the next model; pacing slower than the floor wins", () => {
		expect(nextStartAtMs({ atMs: 10_000, elapsedMs: 0 }, { fixedMs: 0 }, 1000)).toBe(11_000);
		expect(nextStartAtMs({ atMs: 10_000, elapsedMs: 0 }, { fixedMs: 5000 }, 1000)).toBe(15_000);
		expect(nextStartAtMs(null, { fixedMs: 0 }, 1000)).toBe(0);
	});
});
