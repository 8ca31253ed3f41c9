import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { embeddedDatabasePath, openDatabase } from '../../server/db/connect';
import { migrateToLatest } from '../../server/db/migrate';
import { experimentCommand } from '../../server/experiments/command';
import { EXPERIMENTS_EMAIL } from '../../server/experiments/setup';
import { seedFromPgliteTemplate } from '../helpers/pglite-template';

// The done-when: the command, as a person types it, in a child process on a fresh
// embedded database; then the results files, the printed table and the database itself.

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface Exit {
	code: number | null;
	stdout: string;
	stderr: string;
}

function panic(args: string[], env: Record<string, string>): Promise<Exit> {
	return new Promise((resolve, reject) => {
		const child = spawn(TSX, ['scripts/panic.ts', ...args], {
			cwd: ROOT,
			// No DATABASE_URL from the outer environment: this test is about the embedded default.
			env: { ...process.env, DATABASE_URL: '', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/**
 * The same command in this process, for the checks that end before any run: spawning tsx costs
 * seconds each, and one spawned run above already shows the CLI's wiring (exit codes, streams).
 */
async function panicHere(args: string[], env: Record<string, string>): Promise<Exit> {
	let stdout = '';
	let stderr = '';
	const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
	const code = await experimentCommand(args.slice(1), {
		env: { ...process.env, DATABASE_URL: '', ...env },
		stdout: sink((t) => (stdout += t)),
		stderr: sink((t) => (stderr += t)) as unknown as NodeJS.WriteStream
	});
	return { code, stdout, stderr };
}

const loop = (name: string, a: string, b: string) => ({
	format: 'panic-network',
	version: 1,
	name,
	graph: {
		nodes: [
			{ id: 'a', modelId: a, x: 0, y: 0 },
			{ id: 'b', modelId: b, x: 240, y: 0 }
		],
		edges: [
			{ id: 'ab', source: 'a', target: 'b' },
			{ id: 'ba', source: 'b', target: 'a' }
		],
		startNodeId: 'a'
	}
});

const PROMPTS = ['a dream of the sea at dawn', 'red circle', 'the quick brown fox jumps over the lazy dog'];
const STEPS = 12;

describe('npm run panic -- experiment', () => {
	let dir: string;
	let env: Record<string, string>;
	const file = (name: string, content: unknown) => {
		const p = path.join(dir, name);
		fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
		return p;
	};

	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-experiment-'));
		env = { PANIC_DATA_DIR: path.join(dir, 'data') };
		// The embedded database starts migrated (an initdb costs seconds; the template is the same schema).
		seedFromPgliteTemplate(embeddedDatabasePath(env.PANIC_DATA_DIR));
		file('paint-caption.panic.json', loop('paint and caption', 'local/paint', 'local/caption'));
		file('sing-listen.panic.json', loop('sing and listen', 'local/sing', 'local/listen'));
		file('prompts.txt', `# three prompts\n${PROMPTS[0]}\n\n${PROMPTS[1]}\n  # indented comment\n${PROMPTS[2]}\n`);
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	test('2 networks × 3 prompts × 2 runs of local models: results, summary table, runs in the database', async () => {
		// A site with an admin already: they become an editor of the imported networks.
		const before = await openDatabase({ url: embeddedDatabasePath(env.PANIC_DATA_DIR) });
		await migrateToLatest(before);
		await before.insertInto('users').values({ id: 'admin1', email: 'admin@example.org', password_hash: 'x', is_admin: true, created_at: new Date() }).execute();
		await before.destroy();

		const out = path.join(dir, 'out');
		const exit = await panic(
			[
				'experiment',
				'--network', path.join(dir, 'paint-caption.panic.json'),
				'--network', path.join(dir, 'sing-listen.panic.json'),
				'--prompts', path.join(dir, 'prompts.txt'),
				'--runs', '2',
				'--steps', String(STEPS),
				'--out', out
			],
			env
		);
		expect(exit.stderr).not.toMatch(/Error|failed/);
		expect(exit.code, exit.stderr).toBe(0);

		// results.json: every run, in plan order.
		const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
		expect(results.format).toBe('panic-experiment');
		expect(results.runs).toHaveLength(12);
		expect(results.runs.map((r: { network: { name: string }; prompt: string; run: number }) => [r.network.name, r.prompt, r.run])).toEqual(
			['paint and caption', 'sing and listen'].flatMap((n) => PROMPTS.flatMap((p) => [[n, p, 1], [n, p, 2]]))
		);
		for (const run of results.runs) {
			expect(run.status).toBe('stopped');
			expect(run.stopCause).toBe('budget');
			expect(run.steps).toBe(STEPS);
			expect(run.runId).toMatch(/^\w+$/);
			expect(run).toHaveProperty('fixedPoint');
			expect(run).toHaveProperty('finalDrift');
			expect(run.analysisError).toBeUndefined();
		}
		// The local models are deterministic: both runs of a network × prompt agree.
		for (let i = 0; i < 12; i += 2) expect(results.runs[i].fixedPoint).toEqual(results.runs[i + 1].fixedPoint);

		// The printed table: a header with the expected columns, a rule, 6 rows.
		const lines = exit.stdout.split('\n');
		const header = lines.findIndex((l) => l.startsWith('network '));
		expect(header).toBeGreaterThan(-1);
		expect(lines[header].split(/ {2,}/)).toEqual(['network', 'prompt', 'runs', 'fixed point', 'median steps', 'periods', 'final drift', 'run ids']);
		const rows = lines.slice(header + 2, lines.indexOf('', header));
		expect(rows).toHaveLength(6);
		for (const [i, row] of rows.entries()) {
			const cells = row.trim().split(/ {2,}/);
			expect(cells).toHaveLength(8);
			expect(cells[2]).toBe('2');
			expect(cells[3]).toMatch(/^[0-2]\/2$/);
			expect(cells[7].split(' ')).toEqual([results.runs[2 * i].runId, results.runs[2 * i + 1].runId]);
		}

		// The atlas of each network's 6 runs: in results.json, and printed as an attractor table.
		expect(results.atlas.map((a: { network: { name: string } }) => a.network.name)).toEqual(['paint and caption', 'sing and listen']);
		for (const { atlas } of results.atlas) {
			expect(atlas.runs).toBe(6);
			for (const m of atlas.modalities) expect(m.attractors.reduce((sum: number, a: { basin: number }) => sum + a.basin, 0)).toBe(6);
		}
		const tables = lines.filter((l) => /^attractor {2,}basin {2,}median steps {2,}period {2,}prompts$/.test(l));
		expect(tables).toHaveLength(2);
		const firstAttractor = lines[lines.indexOf(tables[0]) + 2].split(/ {2,}/);
		const first = results.atlas[0].atlas.modalities[0].attractors[0];
		expect(firstAttractor.slice(0, 2)).toEqual([first.id, `${first.basin}/6`]);

		// summary.csv: a header and the same 6 rows.
		const csv = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\r\n');
		expect(csv[0]).toBe('network,network_id,prompt,runs,fixed_point_runs,median_steps_to_fixed_point,periods,mean_final_drift,run_ids');
		expect(csv).toHaveLength(7);

		// The runs are in the app's database, on networks the experiments account owns.
		const db = await openDatabase({ url: embeddedDatabasePath(env.PANIC_DATA_DIR) });
		try {
			const ids = results.runs.map((r: { runId: string }) => r.runId);
			const rows = await db
				.selectFrom('runs')
				.innerJoin('networks', 'networks.id', 'runs.network_id')
				.innerJoin('users', 'users.id', 'networks.owner_id')
				.select(['runs.id', 'runs.status', 'runs.stop_cause', 'users.email', 'networks.visibility'])
				.where('runs.id', 'in', ids)
				.execute();
			expect(rows).toHaveLength(12);
			for (const row of rows) expect(row).toMatchObject({ status: 'stopped', stop_cause: 'budget', email: EXPERIMENTS_EMAIL, visibility: 'unlisted' });
			const completed = await db
				.selectFrom('invocations')
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.where('run_id', 'in', ids)
				.where('state', '=', 'completed')
				.executeTakeFirstOrThrow();
			expect(Number(completed.n)).toBe(12 * STEPS);
			const editors = await db.selectFrom('network_members').select(['network_id', 'role']).where('user_id', '=', 'admin1').execute();
			expect(editors.map((e) => e.role)).toEqual(['editor', 'editor']);
			expect(new Set(editors.map((e) => e.network_id))).toEqual(new Set(results.networks.map((n: { id: string }) => n.id)));
			expect(exit.stdout).toContain('admin@example.org can edit them');
			// Nobody can log into the experiments account, and it did not take the admin seat.
			const account = await db.selectFrom('users').select(['password_hash', 'is_admin']).where('email', '=', EXPERIMENTS_EMAIL).executeTakeFirstOrThrow();
			expect(account.is_admin).toBe(false);
			expect(account.password_hash.startsWith('$argon2')).toBe(false);
		} finally {
			await db.destroy();
		}
	}, 180_000);

	test('bad flags print the usage and exit 2', async () => {
		const exit = await panic(['experiment', '--network', 'x.json', '--prompts', 'p.txt', '--runs', 'many'], env);
		expect(exit.code).toBe(2);
		expect(exit.stderr).toContain('--runs takes a whole number');
		expect(exit.stderr).toContain('Usage: npm run panic -- experiment');
		const unknown = await panic(['experiment', '--frobnicate'], env);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
	}, 60_000);

	test('a missing or invalid network file, and an empty prompts file, are clear errors', async () => {
		const prompts = path.join(dir, 'prompts.txt');
		const missing = await panicHere(['experiment', '--network', path.join(dir, 'nope.json'), '--prompts', prompts], env);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain(`No network file at ${path.join(dir, 'nope.json')}`);

		const invalid = await panicHere(['experiment', '--network', file('bad.json', { format: 'something-else' }), '--prompts', prompts], env);
		expect(invalid.code).toBe(1);
		expect(invalid.stderr).toContain('is not a valid PANIC network file: This is not a PANIC network file.');

		const empty = await panicHere(['experiment', '--network', path.join(dir, 'paint-caption.panic.json'), '--prompts', file('empty.txt', '# only a comment\n\n')], env);
		expect(empty.code).toBe(1);
		expect(empty.stderr).toContain('empty.txt has no prompts');
	}, 60_000);

	test('a network whose start node does not take text is refused before anything is imported', async () => {
		const image = loop('caption first', 'local/caption', 'local/paint');
		const exit = await panicHere(['experiment', '--network', file('caption-first.panic.json', image), '--prompts', path.join(dir, 'prompts.txt')], env);
		expect(exit.code).toBe(1);
		expect(exit.stderr).toMatch(/start node \(.+\) takes image, but prompts are text/);
		const db = await openDatabase({ url: embeddedDatabasePath(env.PANIC_DATA_DIR) });
		try {
			const found = await db.selectFrom('networks').select('id').where('name', '=', 'caption first').execute();
			expect(found).toHaveLength(0);
		} finally {
			await db.destroy();
		}
	}, 60_000);
});
