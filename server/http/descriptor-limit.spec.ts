import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultDescriptorReserve, descriptorCeiling, parseOpenFilesLimit, readOpenFilesLimit } from './descriptor-limit';

const limits = (soft: string, hard: string) => `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     
Max locked memory         8388608              8388608              bytes     
`;

describe('parseOpenFilesLimit', () => {
	test('the soft limit of "Max open files"', () => {
		expect(parseOpenFilesLimit(limits('20000', '20000'))).toBe(20000);
		expect(parseOpenFilesLimit(limits('1024', '524288'))).toBe(1024);
	});

	test('unlimited, missing or garbled is unknown', () => {
		expect(parseOpenFilesLimit(limits('unlimited', 'unlimited'))).toBeNull();
		expect(parseOpenFilesLimit('Max cpu time unlimited unlimited seconds')).toBeNull();
		expect(parseOpenFilesLimit(limits('-1', '5'))).toBeNull();
		expect(parseOpenFilesLimit(limits('0', '0'))).toBeNull();
		expect(parseOpenFilesLimit('')).toBeNull();
	});

	test('a file that cannot be read is unknown, not an error', () => {
		expect(readOpenFilesLimit(path.join(os.tmpdir(), 'no-such-limits-file'))).toBeNull();
	});

	test.runIf(fs.existsSync('/proc/self/limits'))('this process has a limit on Linux', () => {
		expect(readOpenFilesLimit()).toBeGreaterThan(0);
	});
});

describe('descriptorCeiling', () => {
	test('keeps a quarter free, at least 256', () => {
		expect(defaultDescriptorReserve(1024)).toBe(256);
		expect(defaultDescriptorReserve(20_000)).toBe(5000);
		expect(descriptorCeiling(1024)).toBe(768);
		expect(descriptorCeiling(20_000)).toBe(15_000);
		expect(descriptorCeiling(300)).toBe(44);
	});

	test('an explicit reserve, and never below one connection', () => {
		expect(descriptorCeiling(1024, 100)).toBe(924);
		expect(descriptorCeiling(200, 1000)).toBe(1);
	});

	test('an unknown limit leaves only the configured caps', () => {
		expect(descriptorCeiling(null)).toBe(Infinity);
	});
});
