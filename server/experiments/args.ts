import { parseArgs } from 'node:util';
import { ExperimentError } from './errors';

export const EXPERIMENT_USAGE = `Usage: npm run panic -- experiment --network <file.panic.json> [--network <other.panic.json> …]
                                --prompts <prompts.txt> [--runs 3] [--steps 50]
                                [--out <dir>] [--data-dir <dir>] [--concurrency 1] [--owner <email>]

Runs every network × prompt × run through PANIC's engine, without a browser, and analyses
each run. Results land in the app's database (PGlite in --data-dir or PANIC_DATA_DIR, else
DATABASE_URL), so every run opens at /runs/<id>.

  --network      a network file, as "Export" in the editor saves it (repeatable)
  --prompts      a text file, one prompt per line; blank lines and # comments are skipped
  --runs         runs of each network × prompt (default 3)
  --steps        invocations per run: the run's budget (default 50)
  --out          where results.json and summary.csv go (default experiments/<timestamp>/)
  --data-dir     the embedded database's directory (default PANIC_DATA_DIR or ./data)
  --concurrency  how many networks run at once (default 1; a network runs one run at a time)
  --owner        import the networks as this existing account (its provider keys pay for
                 hosted models) instead of the built-in "experiments" account`;

export interface ExperimentArgs {
	networks: string[];
	prompts: string;
	runs: number;
	steps: number;
	out?: string;
	dataDir?: string;
	concurrency: number;
	owner?: string;
}

/** The `experiment` subcommand's flags; `null` when help was asked for. */
export function parseExperimentArgs(argv: string[]): ExperimentArgs | null {
	let values: Record<string, string | string[] | boolean | undefined>;
	try {
		({ values } = parseArgs({
			args: argv,
			allowPositionals: false,
			strict: true,
			options: {
				network: { type: 'string', multiple: true },
				prompts: { type: 'string' },
				runs: { type: 'string' },
				steps: { type: 'string' },
				out: { type: 'string' },
				'data-dir': { type: 'string' },
				concurrency: { type: 'string' },
				owner: { type: 'string' },
				help: { type: 'boolean', short: 'h' }
			}
		}));
	} catch (error) {
		// parseArgs says what was wrong ("Unknown option '--foo'"); the usage says what is right.
		throw new ExperimentError((error as Error).message, true);
	}
	if (values.help) return null;
	const networks = (values.network as string[] | undefined) ?? [];
	if (!networks.length) throw new ExperimentError('Give at least one --network file.', true);
	if (typeof values.prompts !== 'string' || !values.prompts) throw new ExperimentError('Give a --prompts file.', true);
	return {
		networks,
		prompts: values.prompts,
		runs: count(values.runs, 'runs', 3, 10_000),
		steps: count(values.steps, 'steps', 50, 1_000_000),
		out: optional(values.out, 'out'),
		dataDir: optional(values['data-dir'], 'data-dir'),
		concurrency: count(values.concurrency, 'concurrency', 1, 64),
		owner: optional(values.owner, 'owner')
	};
}

function count(value: unknown, name: string, fallback: number, max: number): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
		throw new ExperimentError(`--${name} takes a whole number from 1 to ${max}, not ${JSON.stringify(value)}.`, true);
	}
	return n;
}

function optional(value: unknown, name: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || !value.trim()) throw new ExperimentError(`--${name} needs a value.`, true);
	return value;
}
