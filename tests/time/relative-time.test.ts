import { describe, expect, it } from 'vitest';
import { exactTime, isoTime, relativeTime } from '$lib/time/relative-time';

// Noon local time, so that a few hours either way stays on the same calendar day.
const now = new Date(2026, 2, 12, 12, 0, 0).getTime();
const ago = (ms: number) => now - ms;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('relativeTime', () => {
	it('says "just now" for the last minute and "in a moment" for the next', () => {
		expect(relativeTime(ago(0), now, 'en')).toBe('just now');
		expect(relativeTime(ago(59_000), now, 'en')).toBe('just now');
		expect(relativeTime(now + 30_000, now, 'en')).toBe('in a moment');
	});

	it('counts minutes and hours', () => {
		expect(relativeTime(ago(2 * MIN), now, 'en')).toBe('2 minutes ago');
		expect(relativeTime(ago(MIN), now, 'en')).toBe('1 minute ago');
		expect(relativeTime(ago(3 * HOUR + 5 * MIN), now, 'en')).toBe('3 hours ago');
		expect(relativeTime(now + 2 * HOUR, now, 'en')).toBe('in 2 hours');
	});

	it('says "yesterday" and "tomorrow" by the calendar', () => {
		expect(relativeTime(ago(DAY + HOUR), now, 'en')).toBe('yesterday');
		expect(relativeTime(now + DAY + HOUR, now, 'en')).toBe('tomorrow');
		// 40 hours before noon is 20:00 the day before yesterday.
		expect(relativeTime(ago(40 * HOUR), now, 'en')).toBe('2 days ago');
		expect(relativeTime(now + 3 * DAY, now, 'en')).toBe('in 3 days');
	});

	it('gives the date past a week, with the year only when it differs', () => {
		expect(relativeTime(new Date(2026, 0, 5, 9, 0), now, 'en-GB')).toBe('5 Jan');
		expect(relativeTime(new Date(2024, 6, 1, 9, 0), now, 'en-GB')).toBe('1 Jul 2024');
	});

	it('takes ISO strings, numbers and Dates alike, and nothing from nonsense', () => {
		const iso = new Date(ago(5 * MIN)).toISOString();
		expect(relativeTime(iso, now, 'en')).toBe('5 minutes ago');
		expect(relativeTime(new Date(ago(5 * MIN)), now, 'en')).toBe('5 minutes ago');
		expect(relativeTime('not a date', now, 'en')).toBe('');
	});
});

describe('exactTime and isoTime', () => {
	it('give the full local time for hover and ISO for <time datetime>', () => {
		const at = new Date(2026, 2, 12, 9, 5);
		expect(exactTime(at, 'en-GB')).toMatch(/Thursday.*12 March 2026.*09:05/);
		expect(isoTime(at)).toBe(at.toISOString());
		expect(isoTime('nonsense')).toBe('');
	});
});
