// `npm run panic -- <command> …`: PANIC from the command line. Thin on purpose: each command
// lives in server/ and takes its arguments, streams and an abort signal from here.
import { EXIT, experimentCommand } from '../server/experiments/command';

const USAGE = `Usage: npm run panic -- <command> [options]

Commands:
  experiment   run networks × prompts × runs headless and summarise the loops
               (npm run panic -- experiment --help)`;

async function main(argv: string[]): Promise<number> {
	const [command, ...rest] = argv;
	if (!command || command === 'help' || command === '--help' || command === '-h') {
		console.log(USAGE);
		return command ? EXIT.ok : EXIT.usage;
	}
	if (command !== 'experiment') {
		console.error(`panic: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
		return EXIT.usage;
	}
	// First Ctrl-C: stop the runs in flight and write what finished. Another one later: leave at
	// once. One Ctrl-C under `npm run` arrives twice (from the terminal, and relayed by npm and
	// tsx), so a repeat within a second is the same keypress.
	const interrupt = new AbortController();
	let firstAt = 0;
	process.on('SIGINT', () => {
		if (interrupt.signal.aborted) {
			if (Date.now() - firstAt > 1000) process.exit(EXIT.interrupted);
			return;
		}
		firstAt = Date.now();
		process.stderr.write('\nStopping: the active runs end now and the finished ones are written (Ctrl-C again to quit at once).\n');
		interrupt.abort();
	});
	return experimentCommand(rest, { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(EXIT.failed);
	}
);
