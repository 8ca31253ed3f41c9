import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPanic, type Panic } from '../../server/app';
import { configFromEnv } from '../../server/config';
import type { NetworkFile } from '../../server/networks/graph-service';
import { backends, type TestDatabase } from '../helpers/databases';

const owner = { id: 'owner', email: 'owner@example.org', is_admin: false, created_at: new Date(), display_name: null };
const file: NetworkFile = {
	format: 'panic-network',
	version: 1,
	name: 'Imported',
	graph: { nodes: [{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 }], edges: [], startNodeId: 'paint', notes: [] }
};

/** importNetwork creates the network and its graph together, or leaves nothing behind. */
describe.each(backends())('importing a network on $name', (backend) => {
	let t: TestDatabase;
	let dataDir: string;
	let panic: Panic;

	beforeAll(async () => {
		t = await backend.open();
		await t.db.insertInto('users').values({ id: owner.id, email: owner.email, password_hash: 'x' }).execute();
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-import-'));
		panic = await createPanic(configFromEnv({ PANIC_DATA_DIR: dataDir }), { db: t.db, resume: false });
	});
	afterAll(async () => {
		await panic?.close();
		await t.close();
		fs.rmSync(dataDir, { recursive: true, force: true });
	});

	test('the network appears with its graph in one stored change', async () => {
		const network = await panic.importNetwork(owner, file);
		expect((await panic.graphs.get(network.id, owner)).nodes).toEqual(file.graph.nodes);
		const rows = await t.db.selectFrom('sync_updates').select('seq').where('room', '=', network.id).execute();
		expect(rows).toHaveLength(1);
	});

	test('when writing the graph fails after the network was created, the network goes again', async () => {
		const before = (await panic.networks.list(owner)).length;
		await panic.rooms.close(); // every room refuses from now on, as during a shutdown
		await expect(panic.importNetwork(owner, file)).rejects.toThrow(/shutting down/);
		expect(await panic.networks.list(owner)).toHaveLength(before);
		expect(await t.db.selectFrom('networks').select('id').where('name', '=', 'Imported').execute()).toHaveLength(1);
	});
});
