import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import { Engine, type EngineDeps } from '../../server/engine/engine';
import { runMapOf } from '../../server/engine/feed';
import type { RunSettingsInput } from '../../server/engine/settings';
import { writeGraph } from '../../server/shared/graph/doc';
import type { Graph } from '../../server/shared/graph/types';
import { randomId } from '../../server/ids';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms } from '../../server/platforms/platform';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore, type UpdateStore } from '../../server/sync/store';
import type { TestDatabase } from './databases';

/**
 * What every engine test needs, on one database backend: a user who owns the networks, an
 * asset folder, engines booted over real sync rooms (closed after each test), networks with a
 * graph and settings, and the rows and feed a run leaves. Call inside a `describe`: it
 * registers its own hooks, which run before the file's.
 */
export function engineBed(open: () => Promise<TestDatabase>) {
	let database: TestDatabase;
	let assetsDir: string;
	let userId: string;
	const opened: Array<{ engine: Engine; rooms: SyncRooms }> = [];

	beforeAll(async () => {
		database = await open();
		assetsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-engine-assets-'));
		userId = randomId();
		await database.db.insertInto('users').values({ id: userId, email: `${userId}@example.org`, password_hash: 'x', created_at: new Date() }).execute();
	});
	afterEach(async () => {
		for (const { engine, rooms } of opened.splice(0)) {
			await engine.close();
			await rooms.close();
		}
	});
	afterAll(async () => {
		await database?.close();
		if (assetsDir) fs.rmSync(assetsDir, { recursive: true, force: true });
	});

	const bed = {
		get db(): Db {
			return database.db;
		},
		/** Owns every network `network()` makes. */
		get userId(): string {
			return userId;
		},
		get assetsDir(): string {
			return assetsDir;
		},
		/**
		 * An engine over fresh rooms: the built-in and dummy models unless `deps` say otherwise;
		 * the rooms keep their updates in `store` (the database's, unless given).
		 */
		boot(deps: Partial<EngineDeps> = {}, store: UpdateStore = new KyselyUpdateStore(database.db)): { engine: Engine; rooms: SyncRooms } {
			const rooms = new SyncRooms({ store, log: { warn() {}, error: console.error } });
			const engine = new Engine({
				db: database.db,
				rooms,
				catalogue: Catalogue.builtIn({ dummyModels: true }),
				platforms: builtInPlatforms(),
				assets: new FsAssetStore(assetsDir),
				...deps,
				networks: deps.networks ?? new Networks(database.db)
			});
			opened.push({ engine, rooms });
			return { engine, rooms };
		},
		async network(graph: Graph, settings: RunSettingsInput, rooms: SyncRooms): Promise<string> {
			const id = randomId();
			await database.db.insertInto('networks').values({ id, owner_id: userId, name: 'test', settings: JSON.stringify(settings) }).execute();
			await rooms.withRoom(id, (room) => room.change((doc) => writeGraph(doc, graph), 'api'));
			return id;
		},
		invocations: (runId: string) => database.db.selectFrom('invocations').selectAll().where('run_id', '=', runId).orderBy('seq').execute(),
		run: (runId: string) => database.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow(),
		feedRun: (rooms: SyncRooms, networkId: string) =>
			rooms.withRoom(`${networkId}/feed`, (room) => room.read((doc) => runMapOf(doc).toJSON()))
	};
	return bed;
}
