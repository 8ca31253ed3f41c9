import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FsAssetStore } from '../../server/assets/store';
import type { Db } from '../../server/db/connect';
import { Engine } from '../../server/engine/engine';
import type { RunSettingsInput } from '../../server/engine/settings';
import { readGraph, writeGraph } from '../../server/shared/graph/doc';
import type { Graph } from '../../server/shared/graph/types';
import { randomId } from '../../server/ids';
import { NetworkGraphs } from '../../server/networks/graph-service';
import { Networks } from '../../server/networks/networks';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms } from '../../server/platforms/platform';
import { AppError } from '../../server/errors';
import { IMPORT_LIMITS, type ImportLimits, type RunFile } from '../../server/runs-io/format';
import type { Viewer } from '../../server/networks/access';
import { RunsIo, type RunsIoDeps } from '../../server/runs-io/runs-io';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import { backends, type TestDatabase } from '../helpers/databases';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';
import { craftZip, deflated, stored, zeroBomb } from '../helpers/crafted-zip';
import { textRunFile } from '../helpers/run-files';

const bytesOf = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer());
const textOf = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

/** The parts of an invocation an import must keep exactly. */
const essence = (file: RunFile) =>
	file.invocations.map((i) => ({
		seq: i.seq,
		nodeId: i.nodeId,
		modelId: i.modelId,
		parentSeq: i.parentSeq,
		state: i.state,
		input: i.input,
		output: i.output,
		exactHash: i.exactHash,
		error: i.error,
		attempts: i.attempts,
		costEstimate: i.costEstimate,
		metrics: i.metrics,
		queuedAt: i.queuedAt,
		startedAt: i.startedAt,
		endedAt: i.endedAt
	}));

describe.each(backends())('run export and import on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let rooms: SyncRooms;
	let engine: Engine;
	let dirs: string[] = [];
	let alice: Viewer;
	let bob: Viewer;
	let io: RunsIo;
	let networks: Networks;
	let graphs: NetworkGraphs;
	let runs: RunsIoDeps['runs'];
	/** Bob's side: a separate asset store, as on another PANIC. */
	let bobIo: RunsIo;
	let bobAssets: FsAssetStore;
	let paintRun: string;

	const tempDir = () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-runs-io-'));
		dirs.push(dir);
		return dir;
	};
	async function user() {
		const id = randomId();
		await db.insertInto('users').values({ id, email: `${id}@example.org`, password_hash: 'x', created_at: new Date() }).execute();
		return { id, email: `${id}@example.org`, is_admin: false };
	}
	async function network(graph: Graph, settings: RunSettingsInput): Promise<string> {
		const id = randomId();
		await db.insertInto('networks').values({ id, owner_id: alice.id, name: 'Sea, "loop"', settings: JSON.stringify(settings) }).execute();
		await rooms.withRoom(id, (room) => room.change((doc) => writeGraph(doc, graph), 'api'));
		return id;
	}
	async function finishedRun(graph: Graph, input: string, max: number): Promise<string> {
		const id = await network(graph, { pacing: { fixedMs: 0 }, budgets: { maxInvocations: max } });
		const { runId } = await engine.start(id, { kind: 'text', text: input }, alice.id);
		await until('the run to end', async () => (await engine.reader.get(runId))?.status !== 'running', 20_000);
		return runId;
	}
	const counts = async () => ({
		networks: (await db.selectFrom('networks').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
		runs: (await db.selectFrom('runs').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
		invocations: (await db.selectFrom('invocations').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n
	});
	async function rejects(upload: Uint8Array, status: number, message: RegExp, limits: ImportLimits = IMPORT_LIMITS) {
		const before = await counts();
		const error = await bobIo.import(bob, upload, limits).then(
			() => null,
			(e) => e
		);
		expect(error).toBeInstanceOf(AppError);
		expect((error as AppError).status).toBe(status);
		expect((error as AppError).message).toMatch(message);
		expect(await counts()).toEqual(before);
	}

	beforeAll(async () => {
		database = await open();
		db = database.db;
		rooms = new SyncRooms({ store: new KyselyUpdateStore(db), log: { warn() {}, error: console.error } });
		const assets = new FsAssetStore(tempDir());
		engine = new Engine({ db, rooms, networks: new Networks(db), catalogue: Catalogue.builtIn({ dummyModels: true }), platforms: builtInPlatforms(), assets });
		alice = await user();
		bob = await user();
		networks = new Networks(db);
		graphs = new NetworkGraphs(networks, rooms, { resolve: async () => undefined });
		runs = { reader: engine.reader, writer: engine.writer };
		io = new RunsIo({ assets, networks, graphs, runs });
		bobAssets = new FsAssetStore(tempDir());
		bobIo = new RunsIo({ assets: bobAssets, networks, graphs, runs });
		paintRun = await finishedRun(loopGraph('local/paint', 'local/caption'), 'a dream of the sea at dawn', 12);
	});
	afterAll(async () => {
		await engine?.close();
		await rooms?.close();
		await database?.close();
		for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
		dirs = [];
	});

	test('ZIP round trip: export → import (another asset store) → export gives the same run, invocations and asset bytes', async () => {
		const zip = await bytesOf((await io.exportZip(paintRun, alice)).body);
		const entries = unzipSync(zip);
		const first = JSON.parse(new TextDecoder().decode(entries['run.json'])) as RunFile;
		expect(first.format).toBe('panic-run');
		// The budget counts starts: 12 completed, then one more queued (cancelled at the end).
		const n = first.invocations.length;
		expect(n).toBeGreaterThanOrEqual(12);
		expect(first.invocations.filter((i) => i.state === 'completed')).toHaveLength(12);
		expect(first.invocations.map((i) => i.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
		const assetNames = Object.keys(entries).filter((n) => n.startsWith('assets/'));
		// Paint's pictures are referenced as outputs (and as caption's inputs): each stored once.
		const referenced = new Set(first.invocations.flatMap((i) => [i.input, i.output]).flatMap((p) => (p && p.kind !== 'text' ? [`assets/${p.asset.sha256}.${p.asset.ext}`] : [])));
		expect(referenced.size).toBeGreaterThan(0);
		expect(new Set(assetNames)).toEqual(referenced);
		for (const name of assetNames) expect(createHash('sha256').update(entries[name]).digest('hex')).toBe(name.slice(7, 71));

		// Bob imports it: a new private network of his, the run under it, marked imported and ended.
		const { networkId, runId } = await bobIo.import(bob, zip);
		expect(runId).not.toBe(paintRun);
		const net = await db.selectFrom('networks').selectAll().where('id', '=', networkId).executeTakeFirstOrThrow();
		expect(net).toMatchObject({ owner_id: bob.id, name: 'Sea, "loop" (imported)', visibility: 'private' });
		expect(net.settings).toMatchObject({ pacing: { fixedMs: 0 } });
		const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
		expect(run.imported_at).not.toBeNull();
		expect(run.status).toBe(first.run.status);
		expect(run.next_seq).toBe(n + 1);
		const graph = await rooms.withRoom(networkId, (room) => room.read(readGraph));
		expect(graph.name).toBe('Sea, "loop" (imported)');
		expect(graph.nodes.map((n) => n.modelId)).toEqual(['local/paint', 'local/caption']);
		expect(graph.startNodeId).toBe('a');
		for (const name of assetNames) expect(await bobAssets.get(name.slice(7, 71))).toEqual(entries[name]);

		// Nobody else sees it; Bob exports it again: the same run.
		await expect(io.exportObject(runId, alice)).rejects.toMatchObject({ status: 404 });
		const zip2 = await bytesOf((await bobIo.exportZip(runId, bob)).body);
		const entries2 = unzipSync(zip2);
		const second = JSON.parse(new TextDecoder().decode(entries2['run.json'])) as RunFile;
		expect(essence(second)).toEqual(essence(first));
		expect(second.invocations.map((i) => i.providerRequestId)).toEqual(first.invocations.map((i) => i.providerRequestId));
		const { importedAt, id, networkName, ...rest2 } = second.run;
		const { importedAt: _i, id: _id, networkName: _n, ...rest1 } = first.run;
		expect(rest2).toEqual(rest1);
		expect(importedAt).toBeTruthy();
		expect(id).toBe(runId);
		expect(networkName).toBe('Sea, "loop" (imported)');
		expect(Object.keys(entries2).sort()).toEqual(Object.keys(entries).sort());
		for (const name of assetNames) expect(entries2[name]).toEqual(entries[name]);

		// Never resumed by the engine.
		expect(await engine.writer.runningIds()).not.toContain(runId);
	});

	test('JSON alone imports a run without assets; refused for a run that has them', async () => {
		const textRun = await finishedRun(loopGraph('dummy/echo', 'dummy/upper'), 'hello', 6);
		const json = await bytesOf((await io.exportJson(textRun, alice)).body);
		const parsed = JSON.parse(new TextDecoder().decode(json)) as RunFile;
		expect(parsed.invocations.filter((i) => i.state === 'completed')).toHaveLength(6);
		// The raw output hash was dropped (issue 13); older files that carry one still import (textRunFile).
		expect(parsed.invocations.some((i) => 'outputHash' in i)).toBe(false);
		const { runId } = await bobIo.import(bob, json);
		expect(essence(await bobIo.exportObject(runId, bob))).toEqual(essence(parsed));

		const paintJson = await bytesOf((await io.exportJson(paintRun, alice)).body);
		await rejects(paintJson, 400, /import the ZIP/);
	});

	test('a run recorded as running is imported as stopped, states as recorded, never resumed', async () => {
		const file = textRunFile(['one', 'two']);
		file.run.status = 'running';
		file.run.stopCause = null;
		file.run.endedAt = null;
		file.invocations.push({ ...file.invocations[1], seq: 3, parentSeq: 2, nodeId: 'a', state: 'queued', output: null, outputHash: null, startedAt: null, endedAt: null, attempts: 0 });
		const { runId } = await bobIo.import(bob, strToU8(JSON.stringify(file)));
		const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
		expect(run).toMatchObject({ status: 'stopped', stop_cause: 'stopped' });
		expect(run.ended_at).not.toBeNull();
		const again = await bobIo.exportObject(runId, bob);
		expect(again.invocations.map((i) => i.state)).toEqual(['completed', 'completed', 'queued']);
		const fresh = new Engine({ db, rooms, networks: new Networks(db), catalogue: Catalogue.builtIn({ dummyModels: true }), platforms: builtInPlatforms(), assets: bobAssets });
		expect(await fresh.resume()).toBe(0);
		await fresh.close();
	});

	test('CSV: one row per invocation, quoted where needed, asset outputs as URLs', async () => {
		const tricky = ['plain', 'a, comma', 'a "quote"', 'two\nlines', '=1+1'];
		const { runId } = await bobIo.import(bob, strToU8(JSON.stringify(textRunFile(tricky))));
		const csv = await textOf((await bobIo.exportCsv(runId, bob, 'https://panic.example')).body);
		const lines = csv.split('\r\n');
		expect(lines[0]).toBe('seq,node,model,state,started,ended,duration_ms,attempts,cost_usd,output,error');
		expect(lines[1]).toBe('1,a,dummy/echo,completed,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,0,1,,plain,');
		expect(lines[2]).toMatch(/,"a, comma",$/);
		expect(lines[3]).toMatch(/,"a ""quote""",$/);
		expect(lines[4]).toMatch(/,"two\nlines",$/);
		expect(lines[5]).toMatch(/,'=1\+1,$/);
		expect(lines[6]).toBe('');

		const paintCsv = await textOf((await io.exportCsv(paintRun, alice, 'https://panic.example')).body);
		expect(paintCsv).toMatch(/,https:\/\/panic\.example\/assets\/[0-9a-f]{64}\.png,/);
		const count = (await engine.reader.get(paintRun))!.nextSeq - 1;
		expect(paintCsv.match(/\r\n/g)).toHaveLength(count + 1);
	});

	test('bad uploads are refused with a clear error and leave nothing behind', async () => {
		const zip = await bytesOf((await io.exportZip(paintRun, alice)).body);
		const entries = unzipSync(zip);
		const assetName = Object.keys(entries).find((n) => n.startsWith('assets/'))!;

		await rejects(strToU8('just some text'), 400, /run export/);
		await rejects(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3, 4, 5]), 400, /not a readable ZIP/);
		// An asset whose bytes do not hash to its name.
		const tampered = new Uint8Array(entries[assetName]);
		tampered[tampered.length - 1] ^= 0xff;
		await rejects(zipSync({ ...entries, [assetName]: tampered }), 400, /does not match its hash/);
		// Missing run.json, a missing asset, stray files.
		const { 'run.json': _run, ...assetsOnly } = entries;
		await rejects(zipSync(assetsOnly), 400, /no run\.json/);
		const { [assetName]: _gone, ...lacking } = entries;
		await rejects(zipSync(lacking), 400, /lacks assets\//);
		await rejects(zipSync({ ...entries, 'evil/../x.sh': strToU8('x') }), 400, /Unexpected file/);
		await rejects(zipSync({ ...entries, 'assets/notahash.png': strToU8('x') }), 400, /not named <sha256>/);
		// Too large: the upload, an entry, too many entries.
		await rejects(zip, 413, /larger than/, { ...IMPORT_LIMITS, maxUploadBytes: 1024 });
		await rejects(zip, 413, /larger than/, { ...IMPORT_LIMITS, maxAssetBytes: 100 });
		await rejects(zip, 413, /more than 2 files/, { ...IMPORT_LIMITS, maxEntries: 2 });
		await rejects(zip, 413, /expands to more than/, { ...IMPORT_LIMITS, maxTotalBytes: 1000 });
		// Not the format, a bad field, an inconsistent file.
		await rejects(strToU8(JSON.stringify({ ...textRunFile(), format: 'panic-network' })), 400, /not a PANIC run export/);
		await rejects(strToU8('{"format": "panic-run", '), 400, /not valid JSON/);
		const badState = textRunFile() as unknown as { invocations: Array<Record<string, unknown>> };
		badState.invocations[0].state = 'exploded';
		await rejects(strToU8(JSON.stringify(badState)), 400, /invocations\.0\.state/);
		const dup = textRunFile(['a', 'b']);
		dup.invocations[1].seq = 1;
		await rejects(strToU8(JSON.stringify(dup)), 400, /share seq 1/);
		const orphan = textRunFile(['a', 'b']);
		orphan.invocations[1].parentSeq = 7;
		await rejects(strToU8(JSON.stringify(orphan)), 400, /not an earlier invocation/);
	});

	test('ZIPs that lie about their sizes, or expand like no export, are refused before they cost anything (issue 11)', async () => {
		const zip = await bytesOf((await io.exportZip(paintRun, alice)).body);
		const entries = unzipSync(zip);
		const runJson = entries['run.json'];
		const assetName = Object.keys(entries).find((n) => n.startsWith('assets/'))!;
		const honest = Object.entries(entries).map(([name, bytes]) => (name === 'run.json' ? deflated(name, bytes) : stored(name, bytes)));
		const storedFiles = () => fs.readdirSync(bobAssets.root, { recursive: true }).length;
		const filesBefore = storedFiles();

		// An entry that holds more than it declares: inflating stops at the declared size.
		await rejects(craftZip([deflated('run.json', runJson, 1000)]), 400, /run\.json holds more than the 1000 bytes the ZIP declares/);
		await rejects(craftZip(honest.map((e) => (e.name === assetName ? deflated(assetName, entries[assetName], 100) : e))), 400, /holds more than the 100 bytes/);
		// ... or less.
		await rejects(craftZip([deflated('run.json', runJson, runJson.byteLength + 1)]), 400, /holds \d+ bytes, not the \d+ the ZIP declares/);
		// 64 MiB of zeros behind a declared 1,000 bytes costs one chunk of inflating.
		const started = performance.now();
		await rejects(craftZip([{ name: 'run.json', data: zeroBomb(1), method: 8, size: 1000 }]), 400, /holds more than the 1000 bytes/);
		expect(performance.now() - started).toBeLessThan(2_000);
		// Zeros declared truthfully: a thousand to one, more than any export.
		await rejects(craftZip([{ name: 'run.json', data: zeroBomb(1), method: 8, size: 64 * 1024 * 1024 }]), 413, /expands \d+ times over/);
		// Two names for one stream.
		await rejects(craftZip([...honest, { ...honest[0], name: 'assets/' + '0'.repeat(64) + '.png', sameDataAs: 0 }]), 400, /overlaps/);
		await rejects(craftZip([...honest, ...honest.slice(0, 1)]), 400, /run\.json is in the ZIP twice/);
		expect(storedFiles()).toBe(filesBefore);

		// The honest hand-made ZIP imports; an asset the run does not reference is not stored.
		const spare = strToU8('spare bytes');
		const spareName = `${createHash('sha256').update(spare).digest('hex')}.png`;
		const { runId } = await bobIo.import(bob, craftZip([...honest, stored(`assets/${spareName}`, spare)]));
		expect((await bobIo.exportObject(runId, bob)).invocations).toHaveLength(JSON.parse(new TextDecoder().decode(runJson)).invocations.length);
		expect(await bobAssets.has(spareName.slice(0, 64))).toBe(false);
	});

	test('run.json beyond the invocation cap, or with pieces no export has, is refused as too large before it is parsed', async () => {
		await rejects(strToU8(JSON.stringify(textRunFile(['a', 'b', 'c']))), 413, /more than 2 invocations; an import takes at most 2/, { ...IMPORT_LIMITS, maxInvocations: 2 });
		// 12 MB of empty arrays would parse into about 130 MB of heap.
		const balloon = strToU8(`{"format": "panic-run", "x": [${'[],'.repeat(4_000_000)}[]]}`);
		await rejects(balloon, 413, /run\.json's run \(its settings, graph and input\) is larger than a run export's/);
		const wide = textRunFile();
		wide.run.settings.junk = Array(300_000).fill(0);
		await rejects(strToU8(JSON.stringify(wide)), 413, /run\.json's run \(its settings, graph and input\) is larger than a run export's/);
		const fat = textRunFile(['a', 'b']);
		fat.invocations[1].metrics = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`m${i}`, i]));
		await rejects(strToU8(JSON.stringify(fat)), 413, /Invocation 1 of run\.json is larger than any a run records/);
		// Errors inside a piece say where.
		await rejects(strToU8(JSON.stringify(textRunFile(['a', 'b'])).replace('"seq":2', '"seq":2x')), 400, /not valid JSON \(invocation 1: /);
	});

	test('imports take one of a few slots; one more is refused with a 503 and nothing else', async () => {
		const one = new RunsIo({ assets: bobAssets, networks, graphs, runs, importsAtOnce: 1 });
		let release!: () => void;
		const first = one.inImportSlot(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
		await expect(one.inImportSlot(async () => 'second')).rejects.toMatchObject({ status: 503, message: /importing another run right now; try again in a minute/ });
		release();
		expect(await first).toBe('done');
		expect(await one.inImportSlot(async () => 'third')).toBe('third');
	});
});
