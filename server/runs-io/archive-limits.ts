import { parseAssetName } from '../assets/names';
import { AppError, badRequest } from '../errors';
import type { ImportLimits } from './format';
import type { ZipEntry } from './zip-directory';

export interface ArchiveContents {
	runJson: ZipEntry;
	/** Asset entries by file name (`<sha256>.<ext>`, without `assets/`). */
	assets: Map<string, ZipEntry>;
}

/**
 * Whether a run export's table of contents is one an import may read: only run.json and
 * `assets/<sha256>.<ext>`, each once; every entry within its size; the whole within the
 * total and within an expansion no export PANIC makes reaches. All from declared sizes,
 * before anything is inflated (an inflate then stops at the size declared here).
 * Too large is a 413; anything else wrong a 400.
 */
export function checkArchive(entries: readonly ZipEntry[], uploadBytes: number, limits: ImportLimits): ArchiveContents {
	let runJson: ZipEntry | undefined;
	const assets = new Map<string, ZipEntry>();
	let total = 0;
	for (const entry of entries) {
		const name = entry.name.slice(0, 100);
		const isRun = entry.name === 'run.json';
		if (!isRun && !/^assets\/[^/]+$/.test(entry.name)) {
			throw badRequest(`Unexpected file in the ZIP: ${name}. A run export holds run.json and assets/<sha256>.<ext>.`);
		}
		const file = entry.name.slice('assets/'.length);
		if (!isRun && !parseAssetName(file)) throw badRequest(`${name} is not named <sha256>.<ext> with a known extension.`);
		if (isRun ? runJson : assets.has(file)) throw badRequest(`${name} is in the ZIP twice.`);
		const max = isRun ? limits.maxRunJsonBytes : limits.maxAssetBytes;
		if (entry.size > max) throw tooLarge(name, max);
		if (isRun) runJson = entry;
		else assets.set(file, entry);
		total += entry.size;
	}
	if (total > limits.maxTotalBytes) throw new AppError(413, `The ZIP expands to more than ${megabytes(limits.maxTotalBytes)} MB.`);
	if (total > limits.maxExpansionRatio * uploadBytes) {
		throw new AppError(
			413,
			`The ZIP expands ${Math.round(total / uploadBytes)} times over (a run export, at most ${limits.maxExpansionRatio}): it is not a PANIC export. Import the .zip a run page exported.`
		);
	}
	if (!runJson) throw badRequest('The ZIP has no run.json: it is not a PANIC run export.');
	return { runJson, assets };
}

const megabytes = (bytes: number) => Math.round(bytes / (1024 * 1024));

/** A 413 saying what is larger than what. */
export const tooLarge = (what: string, bytes: number) => new AppError(413, `${what} is larger than ${megabytes(bytes)} MB.`);
