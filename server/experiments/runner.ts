import type { Engine } from '../engine/engine';
import type { RunReader } from '../engine/run-reader';
import type { AnalyzeRun } from './analysis';
import type { Cell, ExperimentPlan } from './plan';
import { RunWatch } from './run-watch';
import { experimentSettings } from './setup';
import { finalDrift, type RunResult } from './summary';

/** A network an experiment runs on: one the CLI imported from a file, or one already in the app. */
export interface ExperimentNetwork {
	id: string;
	name: string;
	/** The network file it came from (the CLI); absent for a network run from the browser. */
	file?: string;
}

/** What the runner needs of a plan: the prompts, the step budget and the runs to make. */
export type RunnerPlan = Pick<ExperimentPlan, 'prompts' | 'steps' | 'cells'>;

/** What the runner tells whoever shows progress. */
export interface RunnerEvents {
	/** A run began (its id is known); awaited before the runner follows it. */
	runStarted?(cell: Cell, runId: string): void | Promise<void>;
	/** Completed invocations across the experiment changed by `delta`. */
	steps?(delta: number): void;
	/** A run ended and was analysed; awaited before the lane's next run. */
	runFinished?(result: RunResult, cell: Cell): void | Promise<void>;
}

export interface RunnerOptions {
	concurrency: number;
	/** Aborting stops the runs in flight and starts no more (SIGINT). */
	signal?: AbortSignal;
	events?: RunnerEvents;
}

/**
 * Makes every run of the plan through the engine the server uses (the CLI on the networks it
 * imported, the browser's experiment service on one network of the app), one at a time per network
 * (a network has one active run; starting another would replace it) and up to `concurrency`
 * networks at once. Each run is waited for and analysed before its network's next run. Results
 * are pushed into `results` as they come, so an interrupted or failed experiment still has
 * the runs that finished; they come back in plan order. Each run starts with the experiment's
 * settings (`experimentSettings`: the budget is `steps`, no pacing, no stop at a fixed point),
 * whatever the network's own settings say. `startedBy` is recorded on every run.
 */
export async function runExperiment(
	panic: { engine: Pick<Engine, 'start' | 'stop' | 'observed'>; runReader: Pick<RunReader, 'get'> },
	startedBy: { id: string },
	plan: RunnerPlan,
	networks: ExperimentNetwork[],
	analyze: AnalyzeRun,
	options: RunnerOptions,
	results: RunResult[] = []
): Promise<RunResult[]> {
	const { signal, events = {} } = options;
	const settings = experimentSettings(plan.steps);
	const order = new Map(plan.cells.map((cell, i) => [cell, i]));
	const cellOf = new Map<RunResult, Cell>();
	const lanes = networks.map((_, i) => plan.cells.filter((c) => c.networkIndex === i));
	const active = new Set<string>();
	const stopAll = () => {
		for (const runId of active) void panic.engine.stop(runId, 'stopped').catch(() => {});
	};
	signal?.addEventListener('abort', stopAll, { once: true });

	/** The run's row once it ended (the engine records the end before it says so). */
	const endedRow = async (runId: string) => {
		const run = await panic.runReader.get(runId);
		if (!run) throw new Error(`Run ${runId} vanished.`);
		return run;
	};

	async function one(cell: Cell): Promise<void> {
		const network = networks[cell.networkIndex];
		const prompt = plan.prompts[cell.promptIndex];
		// Watching before the start: a quick run's cards and end may come before its id does.
		const watch = new RunWatch(panic.engine.observed, network.id);
		let steps: number;
		let runId: string;
		try {
			({ runId } = await panic.engine.start(network.id, { kind: 'text', text: prompt }, startedBy.id, { settings }));
			active.add(runId);
			// Aborted between the check and the start: stop this one too.
			if (signal?.aborted) void panic.engine.stop(runId, 'stopped').catch(() => {});
			await events.runStarted?.(cell, runId);
			steps = await watch.follow(runId, events.steps, async () => (await endedRow(runId)).status !== 'running');
		} finally {
			watch.close();
			active.delete(runId!);
		}
		const run = await endedRow(runId);
		const result: RunResult = {
			network: { id: network.id, name: network.name, ...(network.file === undefined ? {} : { file: network.file }) },
			prompt,
			run: cell.run + 1,
			runId,
			status: run.status,
			stopCause: run.stopCause,
			error: run.error,
			steps,
			durationMs: (run.endedAt ?? new Date()).getTime() - run.startedAt.getTime(),
			fixedPoint: null,
			converging: null,
			finalDrift: null,
			cycles: [],
			clusters: { count: 0, sizes: [], representativeSeqs: [] },
			embedder: null
		};
		try {
			const analysis = await analyze(runId);
			result.fixedPoint = analysis.fixedPoint;
			result.converging = analysis.converging;
			result.finalDrift = finalDrift(analysis.drift);
			result.cycles = analysis.cycles;
			result.clusters = {
				count: analysis.clusters.length,
				sizes: analysis.clusters.map((c) => c.size),
				representativeSeqs: analysis.clusters.map((c) => c.representativeSeq)
			};
			result.embedder = analysis.embedder;
		} catch (error) {
			// The run is data either way; a failed analysis is reported, not fatal.
			result.analysisError = (error as Error).message;
		}
		cellOf.set(result, cell);
		results.push(result);
		await events.runFinished?.(result, cell);
	}

	async function lane(cells: Cell[]): Promise<void> {
		for (const cell of cells) {
			if (signal?.aborted) return;
			await one(cell);
		}
	}

	// `concurrency` workers, each taking the next network's lane when it is free.
	const queue = lanes.filter((l) => l.length);
	const workers = Array.from({ length: Math.min(options.concurrency, queue.length) }, async () => {
		for (let next = queue.shift(); next; next = queue.shift()) await lane(next);
	});
	try {
		await Promise.all(workers);
	} catch (error) {
		stopAll(); // one lane failed: the others stop too, and the error is reported
		throw error;
	} finally {
		signal?.removeEventListener('abort', stopAll);
	}
	const rank = (r: RunResult) => order.get(cellOf.get(r)!) ?? Number.MAX_SAFE_INTEGER;
	return results.sort((a, b) => rank(a) - rank(b));
}
