/**
 * Dates as people read them: relative ("2 minutes ago", "yesterday", "in 3 days") while that is
 * meaningful, then the local date; the exact local time goes in a title for hover.
 * Pure: `now` and `locale` are passed in so the same words come out in tests and on the page.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Beyond a week, "23 days ago" is harder to place than the date itself. */
const RELATIVE_LIMIT = 7 * DAY;

export type DateLike = Date | string | number;

function toMs(d: DateLike): number {
	return d instanceof Date ? d.getTime() : typeof d === 'number' ? d : Date.parse(d);
}

/** "just now", "5 minutes ago", "in 2 hours", "yesterday", then "12 Mar" / "12 Mar 2024". */
export function relativeTime(date: DateLike, now: number, locale?: string): string {
	const at = toMs(date);
	if (!Number.isFinite(at)) return '';
	const diff = at - now;
	const size = Math.abs(diff);
	if (size < MINUTE) return diff <= 0 ? 'just now' : 'in a moment';
	const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
	if (size < HOUR) return rtf.format(Math.trunc(diff / MINUTE), 'minute');
	if (size < DAY) return rtf.format(Math.trunc(diff / HOUR), 'hour');
	if (size < RELATIVE_LIMIT) return rtf.format(calendarDays(at, now), 'day');
	const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
	return new Date(at).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
}

/**
 * Whole local calendar days from `now` to `at`, so that 40 hours before noon reads "2 days ago":
 * it was the day before yesterday. Only used for dates more than a day away.
 */
function calendarDays(at: number, now: number): number {
	const midnight = (t: number) => {
		const d = new Date(t);
		return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
	};
	const days = Math.round((midnight(at) - midnight(now)) / DAY);
	// More than 24 hours apart is never "today", whatever the clock says.
	return days === 0 ? Math.sign(at - now) : days;
}

/** The exact local date and time, for a title or tooltip. */
export function exactTime(date: DateLike, locale?: string): string {
	const at = toMs(date);
	if (!Number.isFinite(at)) return '';
	return new Date(at).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}

/** ISO form for `<time datetime>`. */
export function isoTime(date: DateLike): string {
	const at = toMs(date);
	return Number.isFinite(at) ? new Date(at).toISOString() : '';
}
