import { describe, expect, it } from 'vitest';
import { parseExperimentArgs } from './args';

describe('parseExperimentArgs', () => {
	it('defaults: 3 runs of 50 steps, one network at a time', () => {
		expect(parseExperimentArgs(['--network', 'a.json', '--prompts', 'p.txt'])).toEqual({
			networks: ['a.json'],
			prompts: 'p.txt',
			runs: 3,
			steps: 50,
			out: undefined,
			dataDir: undefined,
			concurrency: 1,
			owner: undefined
		});
	});

	it('repeats --network and reads every flag', () => {
		const args = parseExperimentArgs(
			['--network', 'a.json', '--network=b.json', '--prompts', 'p.txt', '--runs', '2', '--steps', '15', '--out', 'r', '--data-dir', 'd', '--concurrency', '2', '--owner', 'me@x.org']
		);
		expect(args).toMatchObject({ networks: ['a.json', 'b.json'], runs: 2, steps: 15, out: 'r', dataDir: 'd', concurrency: 2, owner: 'me@x.org' });
	});

	it('help is null (print the usage)', () => {
		expect(parseExperimentArgs(['--help'])).toBeNull();
		expect(parseExperimentArgs(['-h'])).toBeNull();
	});

	it.each([
		[['--prompts', 'p.txt'], 'Give at least one --network'],
		[['--network', 'a.json'], 'Give a --prompts file'],
		[['--network', 'a.json', '--prompts', 'p.txt', '--runs', '0'], '--runs takes a whole number'],
		[['--network', 'a.json', '--prompts', 'p.txt', '--steps', '1.5'], '--steps takes a whole number'],
		[['--network', 'a.json', '--prompts', 'p.txt', '--concurrency', '-1'], 'concurrency'],
		[['--network', 'a.json', '--prompts', 'p.txt', 'extra'], 'positional'],
		[['--nettwork', 'a.json'], "Unknown option '--nettwork'"]
	])('%j is a usage error', (argv, message) => {
		expect(() => parseExperimentArgs(argv)).toThrow(expect.objectContaining({ usage: true, message: expect.stringContaining(message) }));
	});
});
