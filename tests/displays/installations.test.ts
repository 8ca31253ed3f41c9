import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Installations } from '../../server/displays/installations';
import { randomId } from '../../server/ids';
import { KeyCipher } from '../../server/keys/cipher';
import { backends, type TestDatabase } from '../helpers/databases';

describe.each(backends())('installations on $name', ({ open }) => {
	let database: TestDatabase;
	let installations: Installations;
	let networkId: string;
	/** What the installations told the app about deleted screens, as createPanic hears it. */
	const removed: Array<{ networkId: string; screenIds: string[] }> = [];

	beforeAll(async () => {
		database = await open();
		installations = new Installations(database.db, new KeyCipher(randomBytes(32)), {
			onScreensRemoved: (networkId, screenIds) => removed.push({ networkId, screenIds })
		});
		const userId = randomId();
		networkId = randomId();
		await database.db.insertInto('users').values({ id: userId, email: `${userId}@example.org`, password_hash: 'x', created_at: new Date() }).execute();
		await database.db.insertInto('networks').values({ id: networkId, owner_id: userId, name: 'wall' }).execute();
	});
	afterAll(() => database?.close());

	test('screens get kiosk URLs, boards keep their key encrypted, and an update keeps both', async () => {
		const created = await installations.create(networkId, {
			name: 'Gallery',
			screens: [
				{ name: 'wall', kind: 'grid', grid: { rows: 2, cols: 3 } },
				{ name: 'left', kind: 'single', single: { stride: 2, offset: 0, showRunning: true } },
				{ name: 'board', kind: 'vestaboard', vestaboard: { key: 'rw-secret-key-1234' } }
			]
		});
		const [wall, left, board] = created.screens;
		expect(wall).toMatchObject({ kind: 'grid', grid: { rows: 2, cols: 3 }, kioskPath: expect.stringMatching(/^\/display\/[a-z0-9]{24}$/) });
		expect(board).toEqual({ id: board.id, name: 'board', kind: 'vestaboard', vestaboard: { last4: '1234' } });
		expect(JSON.stringify(created)).not.toContain('rw-secret');
		expect(await database.dumpText()).not.toContain('rw-secret-key-1234');

		const token = (wall as { kioskPath: string }).kioskPath.split('/').pop()!;
		expect(await installations.kiosk(token)).toMatchObject({ networkId, kind: 'grid', grid: { rows: 2, cols: 3 } });
		expect(await installations.kiosk('nosuchtoken0000000000000')).toBeNull();
		expect(await installations.boards(networkId)).toEqual([{ screenId: board.id, name: 'board', key: 'rw-secret-key-1234' }]);

		// Renamed and re-laid out: the same screens keep their URLs and the board its key.
		const updated = await installations.update(networkId, created.id, {
			name: 'Gallery B',
			screens: [
				{ id: wall.id, name: 'wall', kind: 'grid', grid: { rows: 3, cols: 4 } },
				{ id: board.id, name: 'board', kind: 'vestaboard', vestaboard: {} }
			]
		});
		expect((updated.screens[0] as { kioskPath: string }).kioskPath).toBe((wall as { kioskPath: string }).kioskPath);
		expect(await installations.kiosk(token)).toMatchObject({ grid: { rows: 3, cols: 4 } });
		expect((await installations.boards(networkId))[0].key).toBe('rw-secret-key-1234');
		const leftToken = (left as { kioskPath: string }).kioskPath.split('/').pop()!;
		expect(await installations.kiosk(leftToken)).toBeNull(); // a removed screen's URL stops working
		expect(removed).toEqual([{ networkId, screenIds: [left.id] }]); // …and its open feeds are told to end

		await expect(
			installations.update(networkId, created.id, { name: 'x', screens: [{ name: 'new board', kind: 'vestaboard', vestaboard: {} }] })
		).rejects.toThrow(/needs its read-write key/);
		removed.length = 0;
		await installations.remove(networkId, created.id);
		expect(await installations.list(networkId)).toEqual([]);
		expect(removed).toEqual([{ networkId, screenIds: [wall.id, board.id] }]);
		await expect(installations.remove(networkId, created.id)).rejects.toThrow(/No such installation/);
		expect(removed).toHaveLength(1);
	});
});
