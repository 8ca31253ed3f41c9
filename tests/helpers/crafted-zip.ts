import { deflateRawSync, constants } from 'node:zlib';

/**
 * ZIPs written byte by byte, so a test can make them lie the way an attacker's would:
 * declared sizes that differ from the data, entries that share one stream, odd methods and
 * flags. (fflate, like every honest writer, only writes the truth.)
 */
export interface CraftedEntry {
	name: string;
	/** The bytes as they sit in the archive (already deflated for method 8). */
	data: Uint8Array;
	method?: number;
	/** The uncompressed size the directory declares. */
	size: number;
	flags?: number;
	/** Point this entry's directory record at an earlier entry's local header and data. */
	sameDataAs?: number;
}

/** An entry whose declared size is the truth (unless `size` says otherwise). */
export function deflated(name: string, content: Uint8Array, size = content.byteLength): CraftedEntry {
	return { name, data: deflateRawSync(content), method: 8, size };
}

export function stored(name: string, content: Uint8Array): CraftedEntry {
	return { name, data: content, method: 0, size: content.byteLength };
}

/**
 * A raw deflate stream of `segments` × 64 MiB of zeros (about 64 KB each): the stream of a
 * full-flushed segment is the same every time, so a 4 GiB bomb is 64 copies and a final block.
 */
export function zeroBomb(segments: number): Uint8Array {
	const segment = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { finishFlush: constants.Z_FULL_FLUSH });
	return Buffer.concat([...Array.from({ length: segments }, () => segment), Buffer.from([0x03, 0x00])]);
}

/** With `zip64`, every size, offset and count is written in its ZIP64 form. */
export function craftZip(entries: CraftedEntry[], { zip64 = false } = {}): Uint8Array {
	const locals: Buffer[] = [];
	const offsets: number[] = [];
	let offset = 0;
	for (const entry of entries) {
		if (entry.sameDataAs !== undefined) {
			offsets.push(offsets[entry.sameDataAs]);
			continue;
		}
		const name = Buffer.from(entry.name);
		const header = Buffer.alloc(30);
		header.writeUInt32LE(0x04034b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt16LE(entry.flags ?? 0, 6);
		header.writeUInt16LE(entry.method ?? 8, 8);
		header.writeUInt32LE(entry.data.byteLength, 18);
		header.writeUInt32LE(entry.size, 22);
		header.writeUInt16LE(name.byteLength, 26);
		offsets.push(offset);
		locals.push(header, name, Buffer.from(entry.data));
		offset += 30 + name.byteLength + entry.data.byteLength;
	}
	const central: Buffer[] = [];
	entries.forEach((entry, i) => {
		const source = entries[entry.sameDataAs ?? i];
		const name = Buffer.from(entry.name);
		const record = Buffer.alloc(46);
		const extra = Buffer.alloc(zip64 ? 28 : 0);
		record.writeUInt32LE(0x02014b50, 0);
		record.writeUInt16LE(zip64 ? 45 : 20, 4);
		record.writeUInt16LE(zip64 ? 45 : 20, 6);
		record.writeUInt16LE(entry.flags ?? 0, 8);
		record.writeUInt16LE(entry.method ?? source.method ?? 8, 10);
		record.writeUInt32LE(zip64 ? 0xffffffff : source.data.byteLength, 20);
		record.writeUInt32LE(zip64 ? 0xffffffff : entry.size, 24);
		record.writeUInt16LE(name.byteLength, 28);
		record.writeUInt16LE(extra.byteLength, 30);
		record.writeUInt32LE(zip64 ? 0xffffffff : offsets[i], 42);
		if (zip64) {
			// The ZIP64 extra field: uncompressed size, compressed size, local header offset.
			extra.writeUInt16LE(0x0001, 0);
			extra.writeUInt16LE(24, 2);
			extra.writeBigUInt64LE(BigInt(entry.size), 4);
			extra.writeBigUInt64LE(BigInt(source.data.byteLength), 12);
			extra.writeBigUInt64LE(BigInt(offsets[i]), 20);
		}
		central.push(record, name, extra);
	});
	const directory = Buffer.concat(central);
	const tail: Buffer[] = [];
	if (zip64) {
		const end64 = Buffer.alloc(56);
		end64.writeUInt32LE(0x06064b50, 0);
		end64.writeBigUInt64LE(44n, 4);
		end64.writeUInt16LE(45, 12);
		end64.writeUInt16LE(45, 14);
		end64.writeBigUInt64LE(BigInt(entries.length), 24);
		end64.writeBigUInt64LE(BigInt(entries.length), 32);
		end64.writeBigUInt64LE(BigInt(directory.byteLength), 40);
		end64.writeBigUInt64LE(BigInt(offset), 48);
		const locator = Buffer.alloc(20);
		locator.writeUInt32LE(0x07064b50, 0);
		locator.writeBigUInt64LE(BigInt(offset + directory.byteLength), 8);
		locator.writeUInt32LE(1, 16);
		tail.push(end64, locator);
	}
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
	end.writeUInt32LE(zip64 ? 0xffffffff : directory.byteLength, 12);
	end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
	return Buffer.concat([...locals, directory, ...tail, end]);
}
