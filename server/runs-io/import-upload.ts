import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AssetStore } from '../assets/store';
import { parseAssetName } from '../assets/names';
import { sha256Hex } from '../assets/sha256';
import type { StoredPayload } from '../db/schema';
import { badRequest } from '../errors';
import { validate } from '../http/body';
import { checkArchive, tooLarge } from './archive-limits';
import { assetsOf, exportedInvocationSchema, runFileSchema, type ImportLimits, type RunFile } from './format';
import { inflateEntry } from './inflate';
import { PIECE_BOUNDS, splitRunJson } from './run-json-pieces';
import { looksLikeZip, readZipDirectory, type ZipEntry } from './zip-directory';

/**
 * An import's upload, read without holding up the event loop and within bounds, since it
 * comes from whoever has an account: the ZIP's directory is checked from declared sizes
 * before anything is inflated; entries inflate on zlib's thread pool and stop at their
 * declared size; run.json is cut into pieces, each parsed and validated on its own; assets
 * are hashed a slice at a time. Bad input is a 400, too large a 413.
 */
export interface ImportUpload {
	file: RunFile;
	/** The ZIP (or the JSON) as uploaded. */
	archive: Uint8Array;
	/** The ZIP's asset entries by file name (`<sha256>.<ext>`); none for run.json alone. */
	assets: Map<string, ZipEntry>;
	isZip: boolean;
}

export async function readImportUpload(body: Uint8Array, limits: ImportLimits): Promise<ImportUpload> {
	if (body.byteLength > limits.maxUploadBytes) throw tooLarge('The upload', limits.maxUploadBytes);
	if (looksLikeZip(body)) {
		const { runJson, assets } = checkArchive(readZipDirectory(body, limits.maxEntries), body.byteLength, limits);
		const file = await readRunFile(await inflateEntry(body, runJson), limits);
		return { file, archive: body, assets, isZip: true };
	}
	let i = 0;
	while (i < body.byteLength && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09 || body[i] === 0xef || body[i] === 0xbb || body[i] === 0xbf)) i++;
	if (body[i] !== 0x7b) throw badRequest('Send a run export: the .zip file, or its run.json when the run has no images or sound.');
	if (body.byteLength > limits.maxRunJsonBytes) throw tooLarge('run.json', limits.maxRunJsonBytes);
	return { file: await readRunFile(body, limits), archive: body, assets: new Map(), isZip: false };
}

/**
 * Stores every asset the run references, one at a time (inflated, hashed, checked against
 * its name), so at most one asset is in memory besides the upload. All must be in the ZIP
 * before the first is stored. The store is content-addressed: if a later one proves bad,
 * those already stored are whole, correct files nothing refers to, and the import adds nothing.
 */
export async function storeReferencedAssets(upload: ImportUpload, store: AssetStore): Promise<void> {
	const { file } = upload;
	const referenced = new Set<string>();
	const payloads: StoredPayload[] = [file.run.input, ...file.invocations.flatMap((i) => (i.output ? [i.input, i.output] : [i.input]))];
	for (const payload of payloads) for (const ref of assetsOf(payload)) referenced.add(`${ref.sha256}.${ref.ext}`);
	for (const name of referenced) {
		if (upload.assets.has(name)) continue;
		throw badRequest(
			upload.isZip
				? `The ZIP lacks assets/${name}, which the run references.`
				: `This run has images or sound: import the ZIP export, not run.json alone (missing assets/${name}).`
		);
	}
	for (const name of referenced) {
		const { sha256, mime } = parseAssetName(name)!;
		const bytes = await inflateEntry(upload.archive, upload.assets.get(name)!);
		const actual = await sha256Hex(bytes);
		if (actual !== sha256) throw badRequest(`assets/${name} does not match its hash: its bytes hash to ${actual}.`);
		const stored = await store.put(bytes, mime);
		if (stored.sha256 !== sha256) throw new Error(`asset store hashed ${sha256} as ${stored.sha256}`);
	}
}

/** Invocations parsed and validated per turn of the event loop (or fewer, when they are long): a few milliseconds. */
const PER_TURN = { invocations: 100, bytes: 256 * 1024 };

/** run.json as a validated run file: its pieces found, then parsed and validated one at a time. */
async function readRunFile(bytes: Uint8Array, limits: ImportLimits): Promise<RunFile> {
	const pieces = await splitRunJson(bytes, { ...PIECE_BOUNDS, maxInvocations: limits.maxInvocations });
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const parse = (piece: Uint8Array, where: string) => {
		try {
			return JSON.parse(decoder.decode(piece)) as unknown;
		} catch (error) {
			throw badRequest(`run.json is not valid JSON (${where}${(error as Error).message}).`);
		}
	};
	const file = validate(runFileSchema, parse(pieces.head, ''));
	let count = 0;
	let parsed = 0;
	for (const [start, end] of pieces.invocations ?? []) {
		const index = file.invocations.length;
		file.invocations.push(validate(exportedInvocationSchema, parse(bytes.subarray(start, end), `invocation ${index}: `), ['invocations', index]));
		parsed += end - start;
		if (++count >= PER_TURN.invocations || parsed >= PER_TURN.bytes) {
			[count, parsed] = [0, 0];
			await nextTurn();
		}
	}
	checkConsistency(file);
	return file;
}

/** Seqs unique; every parent an earlier invocation of the run. Sorts the invocations by seq. */
function checkConsistency(file: RunFile): void {
	const seqs = new Set<number>();
	for (const inv of file.invocations) {
		if (seqs.has(inv.seq)) throw badRequest(`Two invocations share seq ${inv.seq}.`);
		seqs.add(inv.seq);
	}
	for (const inv of file.invocations) {
		if (inv.parentSeq !== null && (!seqs.has(inv.parentSeq) || inv.parentSeq >= inv.seq)) {
			throw badRequest(`Invocation ${inv.seq} names a parent (${inv.parentSeq}) that is not an earlier invocation of the run.`);
		}
	}
	file.invocations.sort((a, b) => a.seq - b.seq);
}
