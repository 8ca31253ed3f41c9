import { describe, expect, it } from 'vitest';
import { displaySchema, gridSlot, singleShows } from './screens';

describe('grid slots', () => {
	it('fill in order and wrap around, replacing the oldest tile', () => {
		expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => gridSlot(i, 2, 3))).toEqual([0, 1, 2, 3, 4, 5, 0, 1]);
		expect(gridSlot(5, 1, 1)).toBe(0);
	});
});

describe('single screens', () => {
	it('show every stride-th invocation from the offset', () => {
		const seqs = [1, 2, 3, 4, 5, 6, 7, 8, 9];
		expect(seqs.filter((s) => singleShows(s, 3, 0))).toEqual([3, 6, 9]);
		expect(seqs.filter((s) => singleShows(s, 3, 1))).toEqual([1, 4, 7]);
		expect(seqs.filter((s) => singleShows(s, 1, 0))).toEqual(seqs);
	});
	it('refuse an offset outside the stride', () => {
		expect(displaySchema.safeParse({ kind: 'single', single: { stride: 3, offset: 3 } }).success).toBe(false);
		expect(displaySchema.safeParse({ kind: 'single', single: { stride: 3, offset: 2 } }).success).toBe(true);
		expect(displaySchema.safeParse({ kind: 'grid', grid: { rows: 0, cols: 2 } }).success).toBe(false);
	});
});
