import { describe, expect, test } from 'vitest';
import { ArrivalClock } from './arrival-clock';

describe('ArrivalClock', () => {
	test('readings in the same millisecond come out one millisecond apart', () => {
		const clock = new ArrivalClock(() => 1_000);
		expect([clock.next(), clock.next(), clock.next()].map((d) => d.getTime())).toEqual([1_000, 1_001, 1_002]);
	});

	test('follows the clock once it moves past the last reading', () => {
		let now = 1_000;
		const clock = new ArrivalClock(() => now);
		clock.next();
		clock.next();
		now = 5_000;
		expect(clock.next().getTime()).toBe(5_000);
	});

	test('a clock that steps back does not reorder arrivals', () => {
		let now = 5_000;
		const clock = new ArrivalClock(() => now);
		clock.next();
		now = 4_000;
		expect(clock.next().getTime()).toBe(5_001);
	});

	test('after another process stamped a later time, it follows that, and keeps following it', () => {
		const clock = new ArrivalClock(() => 1_000);
		expect(clock.next(1_005).getTime()).toBe(1_006);
		expect(clock.next().getTime()).toBe(1_007);
		expect(clock.next(900).getTime()).toBe(1_008);
	});
});
