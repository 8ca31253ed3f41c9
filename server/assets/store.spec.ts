import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assetUrl, extForMime, parseAssetName } from './names';
import { FsAssetStore, UnsupportedMimeError } from './store';

const sha = 'a'.repeat(64);

describe('parseAssetName', () => {
	it('accepts 64 lower-case hex digits and a known extension', () => {
		expect(parseAssetName(`${sha}.png`)).toEqual({ sha256: sha, ext: 'png', mime: 'image/png' });
		expect(parseAssetName(`${sha}.wav`)?.mime).toBe('audio/wav');
	});
	it.each([
		['short hash', `${'a'.repeat(63)}.png`],
		['long hash', `${'a'.repeat(65)}.png`],
		['upper case', `${'A'.repeat(64)}.png`],
		['not hex', `${'g'.repeat(64)}.png`],
		['unknown extension', `${sha}.exe`],
		['no extension', sha],
		['traversal', `../${sha}.png`],
		['double extension', `${sha}.png.png`],
		['prototype key', `${sha}.constructor`],
		['empty', '']
	])('rejects %s', (_what, name) => {
		expect(parseAssetName(name)).toBeNull();
	});
});

describe('extForMime', () => {
	it('maps types and aliases, ignoring parameters', () => {
		expect(extForMime('image/png')).toBe('png');
		expect(extForMime('audio/x-wav')).toBe('wav');
		expect(extForMime('image/jpeg; q=1')).toBe('jpg');
		expect(extForMime('text/html')).toBeNull();
	});
});

describe('FsAssetStore', () => {
	const dirs: string[] = [];
	const store = () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-assets-'));
		dirs.push(dir);
		return new FsAssetStore(dir);
	};
	afterEach(() => {
		for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
	});

	it('stores content-addressed under <sha[0:2]>/<sha>.<ext> and reads back', async () => {
		const s = store();
		const bytes = new Uint8Array([1, 2, 3]);
		const asset = await s.put(bytes, 'image/png');
		expect(asset).toMatchObject({ ext: 'png', mime: 'image/png', size: 3 });
		expect(asset.sha256).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
		expect(fs.existsSync(path.join(s.root, '03', `${asset.sha256}.png`))).toBe(true);
		expect(await s.get(asset.sha256)).toEqual(bytes);
		expect(await s.get(asset.sha256, 'png')).toEqual(bytes);
		expect(await s.get(asset.sha256, 'wav')).toBeNull();
		expect(await s.has(asset.sha256)).toBe(true);
		expect(assetUrl(asset)).toBe(`/assets/${asset.sha256}.png`);
	});

	it('is idempotent, also under concurrent writes, and leaves no temp files', async () => {
		const s = store();
		const bytes = new Uint8Array(100_000).fill(7);
		const results = await Promise.all(Array.from({ length: 8 }, () => s.put(bytes, 'audio/wav')));
		expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
		const files = fs.readdirSync(path.join(s.root, results[0].sha256.slice(0, 2)));
		expect(files).toEqual([`${results[0].sha256}.wav`]);
	});

	it('refuses unknown types and answers null for unknown or malformed hashes', async () => {
		const s = store();
		await expect(s.put(new Uint8Array([1]), 'text/html')).rejects.toBeInstanceOf(UnsupportedMimeError);
		expect(await s.get(sha)).toBeNull();
		expect(await s.get('../../etc/passwd')).toBeNull();
		expect(await s.has(sha)).toBe(false);
	});
});
