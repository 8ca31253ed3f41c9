/**
 * CSV as RFC 4180 has it, for every CSV PANIC writes (a run's invocations, an experiment's
 * summary): fields with a comma, a double quote or a line break are quoted, quotes doubled,
 * records end with CRLF.
 *
 * Every string is text that may have come from a model or a person (outputs, audience
 * prompts, names), so a string a spreadsheet would run as a formula (starting with =, +, -,
 * @, a tab or a carriage return) gets a leading apostrophe. Numbers are passed as numbers and
 * written as they are, so a negative number stays a number.
 */
export type CsvValue = string | number | null | undefined;

export function csvField(value: CsvValue): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	const s = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record: its fields encoded, joined by commas, ended by CRLF. */
export function csvRecord(values: readonly CsvValue[]): string {
	return `${values.map(csvField).join(',')}\r\n`;
}
