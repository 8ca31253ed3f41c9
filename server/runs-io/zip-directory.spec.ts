import { inflateRawSync } from 'node:zlib';
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { craftZip, deflated, stored, type CraftedEntry } from '../../tests/helpers/crafted-zip';
import { AppError } from '../errors';
import { looksLikeZip, readZipDirectory, type ZipEntry } from './zip-directory';

const text = (s: string) => strToU8(s);
const content = (archive: Uint8Array, entry: ZipEntry) => {
	const data = archive.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
	return Buffer.from(entry.method === 8 ? inflateRawSync(data) : data).toString();
};

/** What the export writes: fflate's streaming Zip, sizes in data descriptors after each entry. */
function streamedZip(files: Record<string, string>): Uint8Array {
	const chunks: Uint8Array[] = [];
	const zip = new Zip((error, chunk) => {
		if (error) throw error;
		chunks.push(chunk);
	});
	for (const [name, body] of Object.entries(files)) {
		const file = name.endsWith('.png') ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
		zip.add(file);
		file.push(text(body), true);
	}
	zip.end();
	return Buffer.concat(chunks);
}

describe('readZipDirectory', () => {
	const files = { 'run.json': '{"format":"panic-run"}'.repeat(50), 'assets/a.png': 'not really a png', 'assets/b.wav': 'RIFF....WAVE' };

	test.each([
		['fflate zipSync (sizes in the local headers)', zipSync({ 'run.json': text(files['run.json']), 'assets/a.png': [text(files['assets/a.png']), { level: 0 }], 'assets/b.wav': text(files['assets/b.wav']) })],
		['fflate streaming Zip (as the export writes it)', streamedZip(files)],
		['hand-made ZIP64', craftZip([deflated('run.json', text(files['run.json'])), stored('assets/a.png', text(files['assets/a.png'])), deflated('assets/b.wav', text(files['assets/b.wav']))], { zip64: true })]
	])('reads %s: names, sizes and where each entry’s data lies', (_what, archive) => {
		expect(looksLikeZip(archive)).toBe(true);
		const entries = readZipDirectory(archive, 10);
		expect(entries.map((e) => [e.name, e.size])).toEqual(Object.entries(files).map(([name, body]) => [name, body.length]));
		for (const entry of entries) expect(content(archive, entry)).toBe(files[entry.name as keyof typeof files]);
		expect(entries[0].compressedSize).toBeLessThan(entries[0].size);
	});

	test('leaves directories out and finds the end record behind a comment', () => {
		const archive = zipSync({ 'assets/': new Uint8Array(0), 'run.json': text('{}') });
		const commented = Buffer.concat([archive, Buffer.from('a comment')]);
		commented.writeUInt16LE(9, archive.byteLength - 2);
		for (const zip of [archive, commented]) expect(readZipDirectory(zip, 10).map((e) => e.name)).toEqual(['run.json']);
	});

	const runJson = deflated('run.json', text('{}'));
	const refusals: Array<[string, () => Uint8Array, RegExp, number?]> = [
		['bytes that are no ZIP', () => text('PK\u0003\u0004 and then nothing'), /no end of central directory record/],
		['an archive cut short', () => craftZip([runJson]).subarray(0, 40), /no end of central directory record/],
		['a directory said to lie past the end record', () => patch(craftZip([runJson]), (b, end) => b.writeUInt32LE(b.byteLength, end + 16)), /runs past its end/],
		['a record that is not a directory record', () => patch(craftZip([runJson]), (b, end) => b.writeUInt32LE(b.readUInt32LE(end + 16) - 1, end + 16)), /central directory is damaged/],
		['an entry whose data runs into the directory', () => patch(craftZip([runJson]), (b, end) => b.writeUInt32LE(10_000, b.readUInt32LE(end + 16) + 20)), /runs past the end of the data/],
		['two entries sharing one stream', () => craftZip([runJson, { ...runJson, name: 'assets/x.png', sameDataAs: 0 }]), /overlaps/],
		['a local header offset that points at nothing', () => patch(craftZip([runJson]), (b, end) => b.writeUInt32LE(3, b.readUInt32LE(end + 16) + 42)), /no local header/],
		['an encrypted entry', () => craftZip([{ ...runJson, flags: 1 }]), /encrypted/],
		['a bzip2 entry', () => craftZip([{ ...runJson, method: 12 }]), /method 12/],
		['a stored entry with two sizes', () => craftZip([{ ...stored('run.json', text('{}')), size: 100 }]), /stored but declares two sizes/],
		['more entries than allowed', () => craftZip([runJson, stored('a', text('a')), stored('b', text('b'))]), /more than 2 files/, 413]
	];
	test.each(refusals)('refuses %s', (_what, make, message, status = 400) => {
		let error: unknown;
		try {
			readZipDirectory(make(), 2);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(AppError);
		expect((error as AppError).status).toBe(status);
		expect((error as AppError).message).toMatch(message);
	});

	test('honest entries pass, however their sizes compare (the limits are checked elsewhere)', () => {
		const entries: CraftedEntry[] = [runJson, deflated('assets/big.wav', new Uint8Array(100_000))];
		expect(readZipDirectory(craftZip(entries), 2).map((e) => e.size)).toEqual([2, 100_000]);
	});
});

/** A copy of `archive` changed by `edit`, which gets it with the end record's offset. */
function patch(archive: Uint8Array, edit: (bytes: Buffer, end: number) => void): Uint8Array {
	const bytes = Buffer.from(archive);
	edit(bytes, bytes.byteLength - 22);
	return bytes;
}
