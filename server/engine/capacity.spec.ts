import { describe, expect, test } from 'vitest';
import { runLimitError, runLimitReached, type HeldRun } from './capacity';

const limits = { perOwner: 2, total: 3 };
const held = (...runs: Array<[slot: string, ownerId: string]>): HeldRun[] => runs.map(([slot, ownerId]) => ({ slot, ownerId }));

describe('runLimitReached', () => {
	test('nothing running: any start may go', () => {
		expect(runLimitReached([], 'n1', 'alice', limits)).toBeNull();
	});

	test("an owner's runs count up to their limit, on whichever of their networks", () => {
		expect(runLimitReached(held(['n1', 'alice']), 'n2', 'alice', limits)).toBeNull();
		expect(runLimitReached(held(['n1', 'alice'], ['n2', 'alice']), 'n3', 'alice', limits)).toBe('runs-per-owner');
	});

	test("another owner's runs do not count against this owner, only against the total", () => {
		expect(runLimitReached(held(['n1', 'bob'], ['n2', 'bob']), 'n3', 'alice', limits)).toBeNull();
		expect(runLimitReached(held(['n1', 'bob'], ['n2', 'bob'], ['n3', 'carol']), 'n4', 'alice', limits)).toBe('runs-total');
	});

	test('a start that replaces the network’s own run needs no new place', () => {
		expect(runLimitReached(held(['n1', 'alice'], ['n2', 'alice']), 'n2', 'alice', limits)).toBeNull();
		expect(runLimitReached(held(['n1', 'bob'], ['n2', 'bob'], ['n3', 'carol']), 'n3', 'carol', limits)).toBeNull();
	});

	test('the owner limit is named first when both are reached', () => {
		expect(runLimitReached(held(['n1', 'alice'], ['n2', 'alice'], ['n3', 'bob']), 'n4', 'alice', limits)).toBe('runs-per-owner');
	});

	test('limits of zero refuse every new run', () => {
		expect(runLimitReached([], 'n1', 'alice', { perOwner: 0, total: 5 })).toBe('runs-per-owner');
		expect(runLimitReached([], 'n1', 'alice', { perOwner: 5, total: 0 })).toBe('runs-total');
	});
});

describe('runLimitError', () => {
	test('a 429 that names the limit, its size and what to do', () => {
		const owner = runLimitError('runs-per-owner', limits);
		expect(owner.status).toBe(429);
		expect(owner.message).toMatch(/owner already has 2 runs going at once.*Stop one of them/);
		expect(owner.details).toEqual({ limit: 'runs-per-owner', max: 2, retryAfterSeconds: 30 });
		const total = runLimitError('runs-total', limits);
		expect(total.message).toMatch(/server is already running 3 runs at once.*Try again when one has finished/);
		expect(total.details).toMatchObject({ limit: 'runs-total', max: 3 });
	});
});
