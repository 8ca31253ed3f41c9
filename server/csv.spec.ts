import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from './csv';

describe('csvField', () => {
	it('quotes commas, quotes and line breaks', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a, b')).toBe('"a, b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('two\nlines')).toBe('"two\nlines"');
		expect(csvField('cr\rhere')).toBe('"cr\rhere"');
	});

	it('defuses every string a spreadsheet would run as a formula', () => {
		expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
		expect(csvField('+1+2')).toBe("'+1+2");
		expect(csvField('-2+3')).toBe("'-2+3");
		expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
		expect(csvField('\t=1')).toBe("'\t=1");
		expect(csvField('\r=1')).toBe(`"'\r=1"`);
		expect(csvField('a=1')).toBe('a=1');
	});

	it('writes numbers as numbers, nothing for null and non-finite numbers', () => {
		expect(csvField(-1)).toBe('-1');
		expect(csvField(12.5)).toBe('12.5');
		expect(csvField(null)).toBe('');
		expect(csvField(undefined)).toBe('');
		expect(csvField(Number.NaN)).toBe('');
	});
});

describe('csvRecord', () => {
	it('encodes each field and ends the record with CRLF', () => {
		expect(csvRecord(['a', 'b,c', -1, null, '=x'])).toBe(`a,"b,c",-1,,'=x\r\n`);
	});
});
