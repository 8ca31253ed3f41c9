import { describe, expect, test } from 'vitest';
import { automaticToDrop, type Dated } from './thinning';

const NOW = new Date('2026-12-07T12:00:00Z');
const MIN = 60_000;
/** One version every `step` minutes from `from` to `to` minutes ago, named by its age. */
const every = (step: number, from: number, to: number) => {
	const out = [];
	for (let age = from; age < to; age += step) out.push({ id: `${age}m`, createdAt: new Date(NOW.getTime() - age * MIN) });
	return out;
};
const kept = (all: Dated[], cap = 10_000) => {
	const dropped = new Set(automaticToDrop(all, NOW, cap));
	return all.filter((v) => !dropped.has(v.id)).map((v) => v.id);
};

describe('thinning automatic versions', () => {
	test('keeps every version of the last hour', () => {
		const all = every(1, 0, 60);
		expect(kept(all)).toHaveLength(60);
	});

	test('keeps one per 10 minutes for a day, one per hour for a week, one per day after', () => {
		// A version every minute for ten days.
		const all = every(1, 0, 10 * 24 * 60);
		const ages = kept(all).map((id) => parseInt(id));
		const inBand = (lo: number, hi: number) => ages.filter((a) => a >= lo && a < hi);
		expect(inBand(0, 60)).toHaveLength(60);
		// 23 hours of 10-minute slots; the slot the hour boundary cuts may add one.
		expect(inBand(60, 24 * 60).length).toBeGreaterThanOrEqual(138);
		expect(inBand(60, 24 * 60).length).toBeLessThanOrEqual(139);
		expect(inBand(24 * 60, 7 * 24 * 60).length).toBeGreaterThanOrEqual(6 * 24);
		expect(inBand(24 * 60, 7 * 24 * 60).length).toBeLessThanOrEqual(6 * 24 + 1);
		expect(inBand(7 * 24 * 60, 10 * 24 * 60).length).toBeGreaterThanOrEqual(3);
		expect(inBand(7 * 24 * 60, 10 * 24 * 60).length).toBeLessThanOrEqual(4);
		// Kept ones are spaced: no two older than an hour share a 10-minute slot.
		const slots = inBand(60, 24 * 60).map((a) => Math.floor((NOW.getTime() - a * MIN) / (10 * MIN)));
		expect(new Set(slots).size).toBe(slots.length);
	});

	test('within a slot the newest stays', () => {
		// Three versions in one 10-minute slot about two hours ago.
		const slotStart = Math.floor((NOW.getTime() - 120 * MIN) / (10 * MIN)) * 10 * MIN;
		const all = [1, 4, 7].map((m) => ({ id: `at+${m}`, createdAt: new Date(slotStart + m * MIN) }));
		expect(kept(all)).toEqual(['at+7']);
	});

	test('thinning again later keeps what it kept, less what aged into a sparser band', () => {
		const all = every(3, 0, 3 * 24 * 60);
		const first = kept(all);
		const again = automaticToDrop(all.filter((v) => first.includes(v.id)), NOW, 10_000);
		expect(again).toEqual([]);
	});

	test('the cap keeps the newest of what spacing kept', () => {
		const all = every(1, 0, 2 * 24 * 60);
		const capped = kept(all, 50);
		expect(capped).toEqual(every(1, 0, 50).map((v) => v.id));
		expect(automaticToDrop(all, NOW, 50)).toHaveLength(all.length - 50);
	});

	test('two saved in one millisecond: the cap keeps the one saved later', () => {
		const at = new Date(NOW.getTime() - MIN);
		const inSaveOrder = [
			{ id: 'earlier', createdAt: at },
			{ id: 'later', createdAt: at }
		];
		expect(automaticToDrop(inSaveOrder, NOW, 1)).toEqual(['earlier']);
	});
});
