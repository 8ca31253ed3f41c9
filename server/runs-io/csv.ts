/**
 * CSV as RFC 4180 has it: fields with a comma, a double quote or a line break are quoted,
 * quotes doubled, records end with CRLF. Text that a spreadsheet would run as a formula
 * (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, since
 * model outputs and audience prompts end up in these cells.
 */
export function csvField(value: string | number | null | undefined, opts: { text?: boolean } = {}): string {
	if (value === null || value === undefined) return '';
	let s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
	if (opts.text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: string[]): string {
	return `${fields.join(',')}\r\n`;
}
