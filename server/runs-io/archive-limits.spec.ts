import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { checkArchive } from './archive-limits';
import { IMPORT_LIMITS, type ImportLimits } from './format';
import type { ZipEntry } from './zip-directory';

const MB = 1024 * 1024;
const sha = 'ab'.repeat(32);
const entry = (name: string, size: number, compressedSize = Math.ceil(size / 3)): ZipEntry => ({ name, method: 8, size, compressedSize, dataOffset: 0 });
const run = entry('run.json', 10_000);
const png = (n: number, size = 1000) => ({ ...entry(`assets/${n.toString(16).padStart(64, '0')}.png`, size, size), method: 0 });

describe('checkArchive', () => {
	test('sorts a run export into run.json and its assets by file name', () => {
		const { runJson, assets } = checkArchive([run, png(1), png(2)], 20_000, IMPORT_LIMITS);
		expect(runJson).toBe(run);
		expect([...assets.keys()]).toEqual([`${'0'.repeat(63)}1.png`, `${'0'.repeat(63)}2.png`]);
	});

	const limits: ImportLimits = { ...IMPORT_LIMITS, maxRunJsonBytes: 50 * MB, maxAssetBytes: 10 * MB, maxTotalBytes: 100 * MB, maxExpansionRatio: 600 };
	test.each<[string, ZipEntry[], number, number, RegExp]>([
		['a stray file', [run, entry('evil/../x.sh', 10)], 1e6, 400, /Unexpected file in the ZIP: evil\/\.\.\/x\.sh/],
		['a file in a subfolder of assets', [run, entry(`assets/x/${sha}.png`, 10)], 1e6, 400, /Unexpected file/],
		['an asset not named by its hash', [run, entry('assets/notahash.png', 10)], 1e6, 400, /not named <sha256>\.<ext>/],
		['an unknown extension', [run, entry(`assets/${sha}.exe`, 10)], 1e6, 400, /not named <sha256>\.<ext>/],
		['run.json twice', [run, run], 1e6, 400, /run\.json is in the ZIP twice/],
		['an asset twice', [run, png(1), png(1)], 1e6, 400, /is in the ZIP twice/],
		['no run.json', [png(1)], 1e6, 400, /no run\.json/],
		['a run.json declared too large', [entry('run.json', 50 * MB + 1)], 1e6, 413, /run\.json is larger than 50 MB/],
		['an asset declared too large', [run, png(1, 10 * MB + 1)], 20 * MB, 413, /is larger than 10 MB/],
		['more than the total once inflated', [run, ...Array.from({ length: 11 }, (_, i) => png(i, 10 * MB))], 200 * MB, 413, /expands to more than 100 MB/],
		// 8 × 60 MB of zeros in 494 KB (issue 11): about a thousand to one.
		['a ZIP bomb of zeros', [run, ...Array.from({ length: 8 }, (_, i) => ({ ...png(i, 10 * MB), method: 8, compressedSize: 10_000 }))], 90_000, 413, /expands 932 times over \(a run export, at most 600\)/]
	])('refuses %s', (_what, entries, uploadBytes, status, message) => {
		let error: unknown;
		try {
			checkArchive(entries, uploadBytes, limits);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(AppError);
		expect((error as AppError).status).toBe(status);
		expect((error as AppError).message).toMatch(message);
	});

	test.each([
		['just under the ratio', 600 * 1000 - 1, 1000],
		['exactly the ratio', 600 * 1000, 1000]
	])('takes %s', (_what, size, uploadBytes) => {
		expect(() => checkArchive([entry('run.json', size)], uploadBytes, limits)).not.toThrow();
	});

	test('measures the ratio against the upload, not the sizes the directory claims for the data', () => {
		// A directory can claim large compressed sizes; the bytes sent are what they are.
		const lying = { ...entry('run.json', 10 * MB), compressedSize: 10 * MB };
		expect(() => checkArchive([lying], 10_000, limits)).toThrow(/expands 1049 times/);
	});
});
