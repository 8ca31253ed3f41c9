import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { watchEdits } from '../../server/history/edit-watch';
import { NetworkVersions, type VersionSummary } from '../../server/history/versions';
import { NetworkGraphs } from '../../server/networks/graph-service';
import { Invites } from '../../server/networks/invites';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import { nodesOf, readGraph } from '../../server/shared/graph/doc';
import type { RoomLease } from '../../server/sync/rooms';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { FakeClient } from '../../server/sync/testing';
import { backends, type TestDatabase } from '../helpers/databases';

/** Network history (issue 17) in the domain: when versions are taken, the bound, restore and who may do what. */

const owner = { id: 'owner', is_admin: false };
const editor = { id: 'editor', is_admin: false };
const viewer = { id: 'viewer', is_admin: false };

const node = (id: string, x = 0) => ({ id, modelId: 'dummy/echo', x, y: 0 });
const GRAPH = {
	nodes: ['a', 'b', 'c', 'd', 'e'].map((id, i) => node(id, i * 100)),
	edges: [
		{ id: 'ab', source: 'a', target: 'b' },
		{ id: 'bc', source: 'b', target: 'c' },
		{ id: 'cd', source: 'c', target: 'd' },
		{ id: 'de', source: 'd', target: 'e' }
	],
	startNodeId: 'a'
};
const KEEP = 20;

describe.each(backends())('network versions on $name', (backend) => {
	let t: TestDatabase;
	let rooms: SyncRooms;
	let versions: NetworkVersions;
	let networks: Networks;
	let graphs: NetworkGraphs;
	let lease: RoomLease;
	let id: string;
	let settleMs = 0;

	const recorded = () => once(versions.events, 'recorded') as Promise<[VersionSummary]>;
	const count = async (kind: string) =>
		Number(
			(
				await t.db
					.selectFrom('network_versions')
					.select((eb) => eb.fn.countAll().as('n'))
					.where('network_id', '=', id)
					.where('kind', '=', kind as never)
					.executeTakeFirstOrThrow()
			).n
		);
	/** A run row, as the engine stores one (its version links to it). */
	const storedRun = async (runId: string) => {
		await t.db
			.insertInto('runs')
			.values({ id: runId, network_id: id, input: JSON.stringify({ kind: 'text', text: 'hi' }), settings: '{}', graph: JSON.stringify(GRAPH) })
			.execute();
		return { id: runId, networkId: id, startedBy: owner.id, graph: { ...GRAPH, name: 'Workshop', models: {} } };
	};
	/** Moves node `a` to `x`: one stored change to the graph room, as an editor's drag is. */
	const move = (x: number) => lease.room.change((doc) => nodesOf(doc).get('a')!.set('x', x), 'test');

	beforeAll(async () => {
		t = await backend.open();
		await t.db
			.insertInto('users')
			.values([owner, editor, viewer].map((u) => ({ id: u.id, email: `${u.id}@example.org`, password_hash: 'x', display_name: `The ${u.id}` })))
			.execute();
		rooms = new SyncRooms({
			store: watchEdits(new KyselyUpdateStore(t.db), (room, authors) => versions?.edited(room, authors)),
			log: { warn() {}, error: console.error }
		});
	});
	afterAll(async () => {
		await rooms.close();
		await t.close();
	});
	beforeEach(async () => {
		networks = new Networks(t.db);
		versions = new NetworkVersions({ db: t.db, networks, docs: rooms, settleMs, keepAutomatic: KEEP, log: console });
		const catalogue = Catalogue.builtIn({ dummyModels: true });
		graphs = new NetworkGraphs(networks, rooms, { resolve: async (modelId) => catalogue.get(modelId) }, { beforeReplace: (n, v) => versions.beforeReplace(n, v) });
		id = (await networks.create(owner, 'Workshop')).id;
		const invites = new Invites(t.db, networks);
		for (const [who, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
			await invites.accept((await invites.create(id, owner, { role, expiresInHours: 1 })).token, who);
		}
		lease = await rooms.acquire(id);
		const first = recorded();
		await graphs.init(id, 'Workshop', GRAPH);
		await first; // the import's graph settles into the first automatic version
	});
	afterEach(async () => {
		await versions.close();
		await lease.release();
	});

	test('a burst of edits becomes one automatic version, with who edited in it and a summary of the diff', async () => {
		settleMs = 300;
		versions = new NetworkVersions({ db: t.db, networks, docs: rooms, settleMs, keepAutomatic: KEEP });
		const settled = recorded();
		// Two editors' sockets and the server write into the room; the store hears whose changes it keeps.
		const [ed, own] = [editor, owner].map((who) => new FakeClient(lease.room, { readOnly: false, awareness: false, principal: who.id }));
		for (const client of [ed, own]) client.sendStep1();
		await lease.room.flush();
		for (const client of [ed, own]) client.pump();
		ed.edit((doc) => nodesOf(doc).get('a')!.set('x', 5));
		own.edit((doc) => nodesOf(doc).get('a')!.set('x', 6));
		await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((x) => move(x * 10)));
		await lease.room.change((doc) => nodesOf(doc).delete('e'), 'test');
		const [version] = await settled;
		for (const client of [ed, own]) (client.leave(), client.destroy());
		settleMs = 0;
		expect(version).toMatchObject({ kind: 'auto', who: 'The editor and The owner', editors: ['The editor', 'The owner'], summary: '1 node removed, 1 node changed' });
		const list = await versions.list(id, viewer);
		expect(list.map((v) => v.kind)).toEqual(['auto', 'auto']);
		expect(list[0]).toMatchObject({ id: version.id, changes: { nodesRemoved: 1, nodesChanged: 1, edgesRemoved: 0 } });
		expect(list[1].summary).toBe('5 nodes added, 4 edges added');
	});

	test('cluster mode: two processes settling one burst record one version with the editors each saw', async () => {
		// Each process's history hears every change to the room (its sessions' through its store,
		// the others' through the replication) but knows only its own sessions' authors.
		const here = new NetworkVersions({ db: t.db, networks, docs: rooms, settleMs: 50, keepAutomatic: KEEP });
		const there = new NetworkVersions({ db: t.db, networks, docs: rooms, settleMs: 50, keepAutomatic: KEEP });
		const outcome = (v: NetworkVersions) =>
			new Promise<[string, VersionSummary]>((resolve) => {
				v.events.once('recorded', (s) => resolve(['recorded', s]));
				v.events.once('joined', (s) => resolve(['joined', s]));
			});
		const autosBefore = await count('auto');
		const both = Promise.all([outcome(here), outcome(there)]);
		versions = here; // the room's store feeds this one
		await move(42);
		here.edited(id, [editor.id]);
		there.edited(id, [owner.id]);
		const results = await both;
		expect(results.map(([event]) => event).sort()).toEqual(['joined', 'recorded']);
		expect(await count('auto')).toBe(autosBefore + 1);
		const [latest] = await here.list(id, viewer);
		expect(latest).toMatchObject({ kind: 'auto', id: results[0][1].id, who: 'The editor and The owner' });
		await Promise.all([here.close(), there.close()]);
	});

	// The thinning is one SQL statement, the same on both databases. 2,000 versions take 30–40 s
	// a database on CI, so the long walk runs on the default (PGlite) and PostgreSQL walks
	// just past the bound.
	const WALK = backend.name === 'pglite' ? 2000 : KEEP + 5;
	test(`${WALK} automatic versions' worth of edits leave ${KEEP}, and named and run versions stay`, async () => {
		const named = await versions.saveNamed(id, editor, 'Before the break');
		expect(named).toMatchObject({ kind: 'named', name: 'Before the break', who: 'The editor' });
		const runVersion = await versions.ofRun(await storedRun(`run-${id}`));
		for (let i = 1; i <= WALK; i++) {
			const next = recorded();
			await move(i);
			const [v] = await next;
			expect(v.kind).toBe('auto');
		}
		expect(await count('auto')).toBe(KEEP);
		expect(await count('named')).toBe(1);
		expect(await count('run')).toBe(1);
		const kept = await versions.list(id, viewer);
		expect(kept.map((v) => v.id)).toEqual(expect.arrayContaining([named.id, runVersion]));
		// The newest automatic ones are the ones kept.
		const newest = await versions.get(id, kept[0].id, viewer);
		expect(newest.graph.nodes.find((n) => n.id === 'a')?.x).toBe(WALK);
	}, 300_000);

	test('restore puts the version back as one change, after saving what it replaces', async () => {
		const [before] = await versions.list(id, viewer);
		const settled = recorded();
		await lease.room.change((doc) => ['c', 'd', 'e'].forEach((n) => nodesOf(doc).delete(n)), 'test');
		await settled;
		let updates = 0;
		const count = () => updates++;
		lease.room.read((doc) => doc.on('update', count));
		await versions.restore(id, before.id, editor);
		lease.room.read((doc) => doc.off('update', count));
		expect(updates).toBe(1);
		const live = lease.room.read(readGraph);
		expect(live.nodes).toEqual(GRAPH.nodes);
		expect(live.edges).toEqual(GRAPH.edges);
		expect(live.name).toBe('Workshop');
		const saved = (await versions.list(id, viewer)).find((v) => v.kind === 'before_restore')!;
		expect(saved).toMatchObject({ who: 'The editor', name: expect.stringMatching(/^Before restoring edits of /) });
		expect((await versions.get(id, saved.id, viewer)).graph.nodes.map((n) => n.id)).toEqual(['a', 'b']);
	});

	test('in the browser: the server saves "before restore" and hands the graph back without applying it', async () => {
		const [before] = await versions.list(id, viewer);
		await lease.room.change((doc) => nodesOf(doc).delete('e'), 'test');
		const version = await versions.restore(id, before.id, owner, { inBrowser: true });
		expect(version.graph.nodes).toEqual(GRAPH.nodes);
		expect(lease.room.read(readGraph).nodes.map((n) => n.id)).toEqual(['a', 'b', 'c', 'd']);
		expect(await count('before_restore')).toBe(1);
	});

	test('viewers list and read; editors save and restore; the lock blocks editors; strangers see nothing', async () => {
		const [v] = await versions.list(id, viewer);
		expect((await versions.get(id, v.id, viewer)).graph.nodes).toHaveLength(5);
		await expect(versions.saveNamed(id, viewer, 'mine')).rejects.toMatchObject({ status: 403 });
		await expect(versions.restore(id, v.id, viewer)).rejects.toMatchObject({ status: 403 });
		await expect(versions.list(id, { id: 'stranger', is_admin: false })).rejects.toMatchObject({ status: 404 });
		await expect(versions.get(id, 'no-such-version', viewer)).rejects.toMatchObject({ status: 404 });
		await networks.update(id, owner, { locked: true });
		await expect(versions.restore(id, v.id, editor)).rejects.toMatchObject({ status: 423 });
		await expect(versions.restore(id, v.id, owner)).resolves.toMatchObject({ id: v.id });
		await networks.update(id, owner, { locked: false });
	});

	test('replacing the graph over the API keeps the graph it replaced; a run keeps one version', async () => {
		await graphs.put(id, owner, { nodes: [node('z')], edges: [], startNodeId: 'z' });
		const replaced = (await versions.list(id, viewer)).find((v) => v.kind === 'before_import');
		expect(replaced).toMatchObject({ kind: 'before_import', who: 'The owner', summary: 'No changes' });
		const run = await storedRun(`run-${id}`);
		const first = await versions.ofRun(run);
		expect(await versions.ofRun(run)).toBe(first);
		const stored = await versions.get(id, first, viewer);
		expect(stored).toMatchObject({ kind: 'run', runId: run.id, who: 'The owner', editors: [] });
		expect(Object.keys(stored.graph).sort()).toEqual(['edges', 'nodes', 'notes', 'startNodeId']);
	});

	test('a version that keeps the live graph ends the burst before it: the next names only who edited after', async () => {
		settleMs = 300;
		versions = new NetworkVersions({ db: t.db, networks, docs: rooms, settleMs, keepAutomatic: KEEP });
		const own = new FakeClient(lease.room, { readOnly: false, awareness: false, principal: owner.id });
		own.sendStep1();
		await lease.room.flush();
		own.pump();
		// The owner drags, and before that settles the editor replaces the whole graph.
		own.edit((doc) => nodesOf(doc).get('a')!.set('x', 5));
		await lease.room.flush();
		const settled = new Promise<VersionSummary>((resolve) => {
			const automatic = (version: VersionSummary) => version.kind === 'auto' && (versions.events.off('recorded', automatic), resolve(version));
			versions.events.on('recorded', automatic);
		});
		await graphs.put(id, editor, { nodes: [node('z')], edges: [], startNodeId: 'z' });
		const after = await settled;
		own.leave();
		own.destroy();
		settleMs = 0;
		const kept = (await versions.list(id, viewer)).find((v) => v.kind === 'before_import');
		expect(kept).toMatchObject({ who: 'The editor', summary: '1 node changed' });
		expect(after).toMatchObject({ kind: 'auto', who: 'The editor', editors: ['The editor'] });
	});
});
