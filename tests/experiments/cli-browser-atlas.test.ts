import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPanic, type Panic } from '../../server/app';
import { configFromEnv } from '../../server/config';
import { embeddedDatabasePath } from '../../server/db/connect';
import { formatAtlasTable } from '../../server/experiments/atlas-table';
import { experimentCommand } from '../../server/experiments/command';
import { backends, type TestDatabase } from '../helpers/databases';
import { loopGraph } from '../helpers/graphs';
import { seedFromPgliteTemplate } from '../helpers/pglite-template';

/**
 * Issue 16's done-when, "the same experiment from the CLI prints the same attractor table":
 * one small experiment of paint ↔ caption (4 prompts × 1 run × 12 steps) started the way the
 * browser starts it (the experiments service behind POST /api/networks/:id/experiments, its
 * atlas as GET /api/experiments/:id/atlas makes it), and the same experiment through
 * `panic experiment` on its own embedded database. The table the CLI prints equals the table
 * made from the browser experiment's atlas, line for line.
 */

const PROMPTS = ['a red circle on a white background', 'a dream of the sea at dawn', 'two yellow stars over a field', 'a purple house with one window'];
const STEPS = 12;
const NAME = 'paint and caption';

const owner = { id: 'owner', email: 'owner@example.org', is_admin: false, created_at: new Date(), display_name: null };

/** The CLI's output after `<network name>: `, up to the blank line that ends the table. */
function printedTable(stdout: string): string {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l.startsWith(`${NAME}: Attractors of `));
	expect(start, stdout).toBeGreaterThan(-1);
	const end = lines.indexOf('', start);
	return [lines[start].slice(`${NAME}: `.length), ...lines.slice(start + 1, end)].join('\n');
}

describe('the same experiment from the browser and from the CLI', () => {
	let dir: string;
	let cliTable: string;

	beforeAll(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-cli-atlas-'));
		const dataDir = path.join(dir, 'data');
		seedFromPgliteTemplate(embeddedDatabasePath(dataDir));
		const network = path.join(dir, 'paint-caption.panic.json');
		const { nodes, edges, startNodeId } = loopGraph('local/paint', 'local/caption');
		fs.writeFileSync(network, JSON.stringify({ format: 'panic-network', version: 1, name: NAME, graph: { nodes, edges, startNodeId } }));
		const prompts = path.join(dir, 'prompts.txt');
		fs.writeFileSync(prompts, PROMPTS.join('\n') + '\n');
		let stdout = '';
		let stderr = '';
		const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
		const started = performance.now();
		const code = await experimentCommand(['--network', network, '--prompts', prompts, '--runs', '1', '--steps', String(STEPS), '--out', path.join(dir, 'out')], {
			env: { ...process.env, DATABASE_URL: '', PANIC_DATA_DIR: dataDir },
			stdout: sink((t) => (stdout += t)),
			stderr: sink((t) => (stderr += t)) as unknown as NodeJS.WriteStream
		});
		expect(code, stderr).toBe(0);
		console.log(`[cli-atlas] panic experiment, ${PROMPTS.length} prompts × 1 run × ${STEPS} steps: ${((performance.now() - started) / 1000).toFixed(1)} s`);
		cliTable = printedTable(stdout);
	}, 120_000);
	afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

	describe.each(backends())('browser experiment on $name', (backend) => {
		let t: TestDatabase;
		let panic: Panic;
		let dataDir: string;

		beforeAll(async () => {
			t = await backend.open();
			await t.db.insertInto('users').values({ id: owner.id, email: owner.email, password_hash: 'x' }).execute();
			dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-browser-atlas-'));
			panic = await createPanic(configFromEnv({ PANIC_DATA_DIR: dataDir }), { db: t.db, resume: false });
		});
		afterAll(async () => {
			await panic?.close();
			await t?.close();
			if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
		});

		test('prints the same attractor table', async () => {
			const { id } = await panic.createNetwork(owner, NAME);
			await panic.graphs.put(id, owner, loopGraph('local/paint', 'local/caption'));
			const started = await panic.experiments.start(id, owner, { prompts: PROMPTS, runs: 1, steps: STEPS });
			await panic.experiments.settled(started.id);
			expect(await panic.experiments.get(started.id, owner)).toMatchObject({ status: 'done', runsDone: PROMPTS.length, stepsDone: PROMPTS.length * STEPS });

			// What GET /api/experiments/:id/atlas answers.
			const { networkId, runIds } = await panic.experiments.finishedRuns(started.id, owner);
			const atlas = await panic.atlas.forRuns(networkId, runIds, undefined, owner.id);
			expect(atlas.modalities.map((m) => [m.kind, m.attractors.reduce((sum, a) => sum + a.basin, 0)])).toEqual([
				['text', PROMPTS.length],
				['image', PROMPTS.length]
			]);
			const browserTable = formatAtlasTable(atlas);
			console.log(`[cli-atlas] ${backend.name}, browser experiment:\n${browserTable}`);
			expect(cliTable).toBe(browserTable);
		}, 120_000);
	});
});
