import { AppError, badRequest } from '../errors';

/**
 * A ZIP's table of contents, read from its central directory without inflating anything:
 * what an import checks (names, declared sizes, how much the archive would expand) before
 * it spends a byte of memory or a moment of CPU on an entry. fflate reads the same
 * structures but does not say where an entry's data lies, which streaming it needs.
 *
 * Layout (APPNOTE.TXT 6.3): local file headers with the data, then the central directory
 * (one record per entry: sizes, method, where its local header is), then the end record.
 * ZIP64 fields are read where a size or offset does not fit in 32 bits.
 */
export interface ZipEntry {
	name: string;
	/** 0 stored, 8 deflated (the only two an import reads). */
	method: number;
	/** The size the directory declares once inflated: an inflate stops there. */
	size: number;
	compressedSize: number;
	/** Where the entry's (compressed) data starts in the archive. */
	dataOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FFFF = 0xffff;
const FFFFFFFF = 0xffffffff;

/** Does the upload start like a ZIP (a local header, or the end record of an empty one)? */
export function looksLikeZip(bytes: Uint8Array): boolean {
	return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/**
 * Every file entry of the archive (directories left out), each with where its data lies.
 * Refuses, as a 400, anything that is not a plain, well-formed archive: entries whose data
 * runs past the directory or overlaps another's (how "overlapping" ZIP bombs reuse one
 * stream many times), encrypted entries, methods other than stored and deflate. Stops
 * before reading the directory when it declares more than `maxEntries` entries.
 */
export function readZipDirectory(bytes: Uint8Array, maxEntries: number): ZipEntry[] {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const eocd = findEndRecord(view);
	let count = view.getUint16(eocd + 10, true);
	let directorySize = view.getUint32(eocd + 12, true);
	let directoryOffset = view.getUint32(eocd + 16, true);
	if (count === FFFF || directorySize === FFFFFFFF || directoryOffset === FFFFFFFF) {
		const locator = eocd - 20;
		if (locator < 0 || view.getUint32(locator, true) !== EOCD64_LOCATOR) throw unreadable('a ZIP64 end record is missing');
		const end64 = safeNumber(view.getBigUint64(locator + 8, true));
		if (end64 + 56 > locator || view.getUint32(end64, true) !== EOCD64) throw unreadable('the ZIP64 end record is damaged');
		count = safeNumber(view.getBigUint64(end64 + 32, true));
		directorySize = safeNumber(view.getBigUint64(end64 + 40, true));
		directoryOffset = safeNumber(view.getBigUint64(end64 + 48, true));
	}
	if (count > maxEntries) throw new AppError(413, `The ZIP has more than ${maxEntries} files; a run export holds run.json and the run's assets.`);
	if (directoryOffset + directorySize > eocd) throw unreadable('the central directory runs past its end');

	const entries: Array<ZipEntry & { headerOffset: number }> = [];
	let at = directoryOffset;
	for (let i = 0; i < count; i++) {
		if (at + 46 > directoryOffset + directorySize || view.getUint32(at, true) !== CENTRAL) throw unreadable('the central directory is damaged');
		const flags = view.getUint16(at + 8, true);
		const method = view.getUint16(at + 10, true);
		let compressedSize = view.getUint32(at + 20, true);
		let size = view.getUint32(at + 24, true);
		const nameLength = view.getUint16(at + 28, true);
		const extraLength = view.getUint16(at + 30, true);
		const commentLength = view.getUint16(at + 32, true);
		let headerOffset = view.getUint32(at + 42, true);
		const next = at + 46 + nameLength + extraLength + commentLength;
		if (next > directoryOffset + directorySize) throw unreadable('the central directory is damaged');
		const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
		if (size === FFFFFFFF || compressedSize === FFFFFFFF || headerOffset === FFFFFFFF) {
			// The ZIP64 extra field holds, in this order, only the values that did not fit.
			const zip64 = extraField(view, at + 46 + nameLength, extraLength, 0x0001);
			if (!zip64) throw unreadable(`${printable(name)} lacks its ZIP64 sizes`);
			let field = zip64.start;
			const take = () => {
				if (field + 8 > zip64.end) throw unreadable(`${printable(name)} has a short ZIP64 field`);
				const value = safeNumber(view.getBigUint64(field, true));
				field += 8;
				return value;
			};
			if (size === FFFFFFFF) size = take();
			if (compressedSize === FFFFFFFF) compressedSize = take();
			if (headerOffset === FFFFFFFF) headerOffset = take();
		}
		at = next;
		if (name.endsWith('/')) continue;
		if (flags & 0x1) throw badRequest(`${printable(name)} is encrypted: export the run again from PANIC.`);
		if (method !== 0 && method !== 8) throw badRequest(`${printable(name)} is compressed with method ${method}; a run export uses stored or deflated entries.`);
		if (method === 0 && compressedSize !== size) throw unreadable(`${printable(name)} is stored but declares two sizes`);
		if (headerOffset + 30 > directoryOffset || view.getUint32(headerOffset, true) !== LOCAL) throw unreadable(`${printable(name)} has no local header`);
		const dataOffset = headerOffset + 30 + view.getUint16(headerOffset + 26, true) + view.getUint16(headerOffset + 28, true);
		if (dataOffset + compressedSize > directoryOffset) throw unreadable(`${printable(name)} runs past the end of the data`);
		entries.push({ name, method, size, compressedSize, dataOffset, headerOffset });
	}

	// Each entry's header and data must end before the next entry's header begins.
	const byPlace = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
	for (let i = 1; i < byPlace.length; i++) {
		const previous = byPlace[i - 1];
		if (previous.dataOffset + previous.compressedSize > byPlace[i].headerOffset) {
			throw unreadable(`${printable(byPlace[i].name)} overlaps ${printable(previous.name)}`);
		}
	}
	return entries.map(({ headerOffset: _, ...entry }) => entry);
}

/** The end of central directory record: the last one, searched back over a comment of up to 64 KB. */
function findEndRecord(view: DataView): number {
	for (let at = view.byteLength - 22; at >= 0 && at >= view.byteLength - 22 - FFFF; at--) {
		if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) <= view.byteLength) return at;
	}
	throw unreadable('it has no end of central directory record');
}

function extraField(view: DataView, start: number, length: number, id: number): { start: number; end: number } | null {
	for (let at = start; at + 4 <= start + length; ) {
		const size = view.getUint16(at + 2, true);
		if (view.getUint16(at, true) === id) return { start: at + 4, end: Math.min(at + 4 + size, start + length) };
		at += 4 + size;
	}
	return null;
}

/** ZIP64 values beyond 2^53 describe no archive that fits in memory. */
function safeNumber(value: bigint): number {
	if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw unreadable('a ZIP64 size is out of range');
	return Number(value);
}

const printable = (name: string) => name.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);

const unreadable = (why: string) => badRequest(`This is not a readable ZIP file (${why}). Import the .zip a run page exported.`);
