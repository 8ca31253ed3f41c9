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
	/** Runs going at once, in all. */
	concurrency: number;
	/**
	 * Runs going at once on one network, each on its own engine lane (default 1: the network's
	 * own run, one after another). The CLI runs its networks side by side, one run each; the
	 * browser's experiment runs its one network's cells on up to `concurrency` lanes.
	 */
	lanesPerNetwork?: number;
	/** Aborting stops the runs in flight and starts no more (SIGINT). */
	signal?: AbortSignal;
	events?: RunnerEvents;
}

/**
 * Makes every run of the plan through the engine the server uses (the CLI on the networks it
 * imported, the browser's experiment service on one network of the app), up to `concurrency`
 * runs at once: each worker holds one lane of one network (a lane has one active run; starting
 * another would replace it) and takes that network's next cell once its run ended and was
 * analysed. With one lane per network (the CLI) that is one run at a time per network, networks
 * side by side. Results are pushed into `results` as they come, so an interrupted or failed
 * experiment still has the runs that finished; they come back in plan order. Each run starts with the experiment's
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
	// Each network's cells in plan order, taken from the front by whichever of its lanes is free.
	const queues = networks.map((_, i) => plan.cells.filter((c) => c.networkIndex === i));
	const active = new Set<string>();
	/** A run could not start (or a lane failed otherwise): no lane takes another cell. */
	let failed = false;
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

	async function one(cell: Cell, lane: number): Promise<void> {
		const network = networks[cell.networkIndex];
		const prompt = plan.prompts[cell.promptIndex];
		// Watching before the start: a quick run's cards and end may come before its id does.
		const watch = new RunWatch(panic.engine.observed, network.id);
		let steps: number;
		let runId: string;
		try {
			({ runId } = await panic.engine.start(network.id, { kind: 'text', text: prompt }, startedBy.id, { settings, ...(lane ? { lane } : {}) }));
			active.add(runId);
			// Aborted between the check and the start: stop this one too.
			if (signal?.aborted || failed) void panic.engine.stop(runId, 'stopped').catch(() => {});
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

	/** One lane of one network: its next cell, run after run, until the network has none left. */
	async function drain(cells: Cell[], lane: number): Promise<void> {
		for (let cell = cells.shift(); cell; cell = cells.shift()) {
			if (signal?.aborted || failed) return;
			await one(cell, lane);
		}
	}

	// Every lane of every network with cells, network by network; `concurrency` workers each take the next free one.
	const perNetwork = Math.max(1, options.lanesPerNetwork ?? 1);
	const slots = queues.flatMap((cells) => Array.from({ length: Math.min(perNetwork, cells.length) }, (_, lane) => ({ cells, lane })));
	const workers = Array.from({ length: Math.min(options.concurrency, slots.length) }, async () => {
		for (let slot = slots.shift(); slot; slot = slots.shift()) {
			try {
				await drain(slot.cells, slot.lane);
			} catch (error) {
				failed = true;
				stopAll(); // one lane failed: the others stop too, and the error is reported
				throw error;
			}
		}
	});
	try {
		// Every lane wound down before the runner answers: none records a result after it.
		const settled = await Promise.allSettled(workers);
		const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
		if (failure) throw failure.reason;
	} finally {
		signal?.removeEventListener('abort', stopAll);
	}
	const rank = (r: RunResult) => order.get(cellOf.get(r)!) ?? Number.MAX_SAFE_INTEGER;
	return results.sort((a, b) => rank(a) - rank(b));
}
