import fs from 'node:fs';
import path from 'node:path';
import { networkFileSchema, type NetworkFile } from '../networks/graph-service';
import { ExperimentError } from './errors';
import { parsePrompts } from './prompts';

/** A network file as read from disk, checked against the export format. */
export interface NetworkSource {
	/** The path as given, for messages and results. */
	file: string;
	network: NetworkFile;
}

/** One run to make: which network, which prompt, which repetition (0-based). */
export interface Cell {
	networkIndex: number;
	promptIndex: number;
	run: number;
}

export interface ExperimentPlan {
	networks: NetworkSource[];
	prompts: string[];
	runs: number;
	steps: number;
	/** Network by network, prompt by prompt, run by run: the order results are reported in. */
	cells: Cell[];
}

/** Reads and checks a `.panic.json` network file; every way it can be wrong says which file. */
export function readNetworkFile(file: string): NetworkSource {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new ExperimentError(code === 'ENOENT' ? `No network file at ${file}.` : `Cannot read the network file ${file}: ${(error as Error).message}`);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		throw new ExperimentError(`${file} is not JSON (${(error as Error).message}). Export the network from PANIC's editor.`);
	}
	const parsed = networkFileSchema.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue.path.length ? ` (at ${issue.path.join('.')})` : '';
		throw new ExperimentError(`${file} is not a valid PANIC network file: ${issue.message}${where}.`);
	}
	const network = parsed.data;
	// Checked here, before the database opens: a run needs somewhere to put the prompt.
	if (!network.graph.startNodeId) throw new ExperimentError(`${file}: the network has no start node. Pick one in the editor and export it again.`);
	return { file, network };
}

export function readPromptsFile(file: string): string[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new ExperimentError(code === 'ENOENT' ? `No prompts file at ${file}.` : `Cannot read the prompts file ${file}: ${(error as Error).message}`);
	}
	return parsePrompts(text, path.basename(file));
}

export function planExperiment(networks: NetworkSource[], prompts: string[], runs: number, steps: number): ExperimentPlan {
	const cells: Cell[] = [];
	networks.forEach((_, networkIndex) =>
		prompts.forEach((_, promptIndex) => {
			for (let run = 0; run < runs; run++) cells.push({ networkIndex, promptIndex, run });
		})
	);
	return { networks, prompts, runs, steps, cells };
}
