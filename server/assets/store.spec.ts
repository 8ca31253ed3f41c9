import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from '../../tests/helpers/databases';
import { assetUrl, extForMime, parseAssetName } from './names';
import { PgAssetStore } from './pg-store';
import { FsAssetStore, UnsupportedMimeError, type AssetStore } from './store';

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

/**
 * One contract, every store: the filesystem (single mode) and the `assets` table (cluster mode,
 * on PGlite and, with TEST_DATABASE_URL, PostgreSQL). A store is fresh per test.
 */
interface StoreKind {
	name: string;
	setup(): Promise<void>;
	fresh(): Promise<AssetStore>;
	/** After each test: what the test left behind. */
	teardown(): Promise<void>;
	/** After the suite. */
	close(): Promise<void>;
}

const fsKind = (): StoreKind => {
	const dirs: string[] = [];
	return {
		name: 'filesystem',
		setup: async () => {},
		fresh: async () => {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-assets-'));
			dirs.push(dir);
			return new FsAssetStore(dir);
		},
		teardown: async () => {
			for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
		},
		close: async () => {}
	};
};

const pgKind = (backend: ReturnType<typeof backends>[number]): StoreKind => {
	let database: TestDatabase;
	return {
		name: `table on ${backend.name}`,
		setup: async () => {
			database = await backend.open();
		},
		fresh: async () => {
			await database.db.deleteFrom('assets').execute();
			return new PgAssetStore(database.db);
		},
		teardown: async () => {},
		close: () => database.close()
	};
};

const kinds: StoreKind[] = [fsKind(), ...backends().map(pgKind)];

describe.each(kinds.map((k) => [k.name, k] as const))('asset store: %s', (_name, kind) => {
	beforeAll(() => kind.setup(), 60_000);
	afterEach(() => kind.teardown());
	afterAll(() => kind.close());

	it('stores content-addressed and reads back the same bytes', async () => {
		const s = await kind.fresh();
		const bytes = new Uint8Array([1, 2, 3]);
		const asset = await s.put(bytes, 'image/png');
		expect(asset).toMatchObject({ ext: 'png', mime: 'image/png', size: 3 });
		expect(asset.sha256).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
		expect(await s.get(asset.sha256)).toEqual(bytes);
		expect(await s.get(asset.sha256, 'png')).toEqual(bytes);
		expect(await s.get(asset.sha256, 'wav')).toBeNull();
		expect(await s.has(asset.sha256)).toBe(true);
		expect(await s.has(asset.sha256, 'png')).toBe(true);
		expect(await s.has(asset.sha256, 'wav')).toBe(false);
		expect(assetUrl(asset)).toBe(`/assets/${asset.sha256}.png`);
	});

	it('normalises MIME aliases to the type it serves back', async () => {
		const s = await kind.fresh();
		const asset = await s.put(new Uint8Array([9]), 'audio/x-wav; rate=44100');
		expect(asset).toMatchObject({ ext: 'wav', mime: 'audio/wav' });
		expect(await s.get(asset.sha256, 'wav')).toEqual(new Uint8Array([9]));
	});

	it('is idempotent, also under concurrent writes', async () => {
		const s = await kind.fresh();
		const bytes = new Uint8Array(100_000).fill(7);
		const results = await Promise.all(Array.from({ length: 8 }, () => s.put(bytes, 'audio/wav')));
		expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
		expect(await s.put(bytes, 'audio/wav')).toEqual(results[0]);
		expect(await s.get(results[0].sha256, 'wav')).toEqual(bytes);
	});

	it('keeps the same bytes stored under two types apart, and finds one without an extension', async () => {
		const s = await kind.fresh();
		const bytes = new Uint8Array([4, 5, 6]);
		const png = await s.put(bytes, 'image/png');
		const gif = await s.put(bytes, 'image/gif');
		expect(gif.sha256).toBe(png.sha256);
		expect(await s.get(png.sha256, 'gif')).toEqual(bytes);
		expect(await s.get(png.sha256, 'png')).toEqual(bytes);
		expect(await s.get(png.sha256)).toEqual(bytes);
	});

	it('refuses unknown types and answers null for unknown or malformed hashes', async () => {
		const s = await kind.fresh();
		await expect(s.put(new Uint8Array([1]), 'text/html')).rejects.toBeInstanceOf(UnsupportedMimeError);
		expect(await s.get(sha)).toBeNull();
		expect(await s.get('../../etc/passwd')).toBeNull();
		expect(await s.has(sha)).toBe(false);
		expect(await s.has("' or 1=1 --")).toBe(false);
	});
});

describe('FsAssetStore on disk', () => {
	const kind = fsKind();
	afterEach(() => kind.teardown());

	it('lays files out as <sha[0:2]>/<sha>.<ext> and leaves no temp files behind concurrent writes', async () => {
		const s = (await kind.fresh()) as FsAssetStore;
		const bytes = new Uint8Array(100_000).fill(7);
		const results = await Promise.all(Array.from({ length: 8 }, () => s.put(bytes, 'audio/wav')));
		const files = fs.readdirSync(path.join(s.root, results[0].sha256.slice(0, 2)));
		expect(files).toEqual([`${results[0].sha256}.wav`]);
	});
});
