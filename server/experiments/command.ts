import fs from 'node:fs';
import path from 'node:path';
import { createPanic, type Panic } from '../app';
import { configFromEnv } from '../config';
import { embeddedDatabasePath } from '../db/connect';
import { runAnalyzer, type AnalyzeRun } from './analysis';
import { EXPERIMENT_USAGE, parseExperimentArgs } from './args';
import { experimentAtlases, formatAtlasTable, type ExperimentAtlas } from './atlas-table';
import { ExperimentError } from './errors';
import { planExperiment, readNetworkFile, readPromptsFile, type ExperimentPlan } from './plan';
import { createProgress } from './progress';
import { runExperiment } from './runner';
import { importNetworks, resolveOwner, type ImportedNetwork } from './setup';
import { formatTable, summarise, toCsv, type RunResult } from './summary';

export interface CommandIo {
	env: Record<string, string | undefined>;
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WriteStream;
	/** Aborted on SIGINT: the runs in flight stop and what finished is written. */
	signal?: AbortSignal;
	/** The analysis; the real one unless a test brings its own. */
	analyzer?: (panic: Panic) => AnalyzeRun;
	now?: () => Date;
}

/** Exit codes: 0 done, 1 could not run (or some runs failed), 2 bad usage, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * `panic experiment`: checks every input before touching the database, imports the networks,
 * makes the runs, analyses them, writes results.json and summary.csv and prints the summary.
 */
export async function experimentCommand(argv: string[], io: CommandIo): Promise<number> {
	const say = (line = '') => io.stdout.write(line + '\n');
	const warn = (line: string) => io.stderr.write(line + '\n');
	try {
		const args = parseExperimentArgs(argv);
		if (!args) {
			say(EXPERIMENT_USAGE);
			return EXIT.ok;
		}
		const sources = args.networks.map(readNetworkFile);
		const prompts = readPromptsFile(args.prompts);
		const plan = planExperiment(sources, prompts, args.runs, args.steps);

		const env = configFromEnv(args.dataDir ? { ...io.env, PANIC_DATA_DIR: args.dataDir } : io.env);
		// This process runs only the experiment: the server's run limits must not refuse what --concurrency asked for.
		const config = { ...env, runsPerOwner: Math.max(env.runsPerOwner, args.concurrency), runsTotal: Math.max(env.runsTotal, args.concurrency) };
		if (!config.databaseUrl) refuseIfOpen(embeddedDatabasePath(config.dataDir));
		const out = path.resolve(args.out ?? path.join('experiments', stamp((io.now ?? (() => new Date()))())));
		fs.mkdirSync(out, { recursive: true });

		const panic = await createPanic(config, { resume: false });
		try {
			return await execute(panic, plan, args, out, io);
		} finally {
			await panic.close();
		}
	} catch (error) {
		if (error instanceof ExperimentError) {
			warn(`panic experiment: ${error.message}`);
			if (error.usage) warn(`\n${EXPERIMENT_USAGE}`);
			return error.usage ? EXIT.usage : EXIT.failed;
		}
		throw error;
	}
}

async function execute(
	panic: Panic,
	plan: ExperimentPlan,
	args: { owner?: string; concurrency: number },
	out: string,
	io: CommandIo
): Promise<number> {
	const say = (line = '') => io.stdout.write(line + '\n');
	const owner = await resolveOwner(panic, args.owner);
	const { networks, editor } = await importNetworks(panic, owner, plan.networks, plan.steps);
	const where = panic.config.databaseUrl ? 'DATABASE_URL' : embeddedDatabasePath(panic.config.dataDir);
	say(`Experiment: ${plan.networks.length} network(s) × ${plan.prompts.length} prompt(s) × ${plan.runs} run(s) = ${plan.cells.length} runs of ${plan.steps} steps, owned by ${owner.email}, in ${where}`);
	for (const n of networks) say(`  network ${n.id}  ${n.name}  (${n.file})`);

	const progress = createProgress(plan.cells.length, plan.steps, io.stderr);
	const results: RunResult[] = [];
	let failure: unknown = null;
	try {
		await runExperiment(panic, owner, plan, networks, (io.analyzer ?? runAnalyzer)(panic), { concurrency: args.concurrency, signal: io.signal, events: progress }, results);
	} catch (error) {
		failure = error; // written below with whatever finished, then reported
	} finally {
		progress.stop();
	}
	const atlases = await experimentAtlases(panic, results, (line) => io.stderr.write(line + '\n'));
	const rows = writeResults(out, plan, networks, results, atlases, io.signal?.aborted ?? false);

	say();
	say(formatTable(rows));
	for (const { network, atlas } of atlases) {
		say();
		say(`${network.name}: ${formatAtlasTable(atlas)}`);
	}
	say();
	say(`${results.length} of ${plan.cells.length} runs finished. Results: ${path.join(out, 'results.json')} and ${path.join(out, 'summary.csv')}`);
	const shared = editor ? `; ${editor} can edit them` : '';
	say(`Open a run at ${panic.config.origin ?? 'http://localhost:3000'}/runs/<run id>: the networks are unlisted, so anyone logged in opens these links${shared}.`);

	if (failure) {
		if (failure instanceof ExperimentError) throw failure;
		const message = (failure as Error).message ?? String(failure);
		io.stderr.write(`panic experiment: stopped after a run could not start: ${message}\n`);
		return EXIT.failed;
	}
	if (io.signal?.aborted) {
		io.stderr.write('panic experiment: interrupted; the runs above are the ones that finished.\n');
		return EXIT.interrupted;
	}
	const failed = results.filter((r) => r.status === 'failed' || r.analysisError);
	if (failed.length) {
		io.stderr.write(`panic experiment: ${failed.length} run(s) failed or could not be analysed; see results.json.\n`);
		return EXIT.failed;
	}
	return EXIT.ok;
}

function writeResults(out: string, plan: ExperimentPlan, networks: ImportedNetwork[], results: RunResult[], atlas: ExperimentAtlas[], interrupted: boolean) {
	const rows = summarise(results);
	const document = {
		format: 'panic-experiment',
		version: 1,
		createdAt: new Date().toISOString(),
		interrupted,
		runsPerPrompt: plan.runs,
		steps: plan.steps,
		prompts: plan.prompts,
		networks,
		summary: rows,
		/** Per network: where its runs ended up (the atlas page's figures). */
		atlas,
		runs: results
	};
	fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(document, null, '\t') + '\n');
	fs.writeFileSync(path.join(out, 'summary.csv'), toCsv(rows));
	return rows;
}

/** `2026-11-30T03-32-04Z`: sortable, and legal in file names everywhere. */
export function stamp(date: Date): string {
	return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/**
 * PGlite is one process's database: a second process opening the same directory (a server
 * running on it) corrupts it. An open PGlite keeps `postmaster.pid` in its directory and
 * removes it on close, so its presence means a PANIC has it open, or one died without closing.
 */
function refuseIfOpen(dir: string): void {
	const pid = path.join(dir, 'postmaster.pid');
	if (fs.existsSync(pid)) {
		throw new ExperimentError(
			`The embedded database in ${dir} is open in another process (a running PANIC?). Stop it first, or run both on PostgreSQL (DATABASE_URL). If nothing has it open (a PANIC was killed), delete ${pid}.`
		);
	}
}
