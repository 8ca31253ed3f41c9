import { EventEmitter } from 'node:events';
import type { PublicUser } from '../auth/sessions';
import type { ControlBus } from '../cluster/bus';
import type { RateLimit } from '../cluster/counters';
import type { Engine } from '../engine/engine';
import type { RunReader } from '../engine/run-reader';
import { AppError, badRequest, conflict, forbidden, notFound, tooManyRequests } from '../errors';
import type { StartExperimentInput } from '../http/request-schemas';
import { canEdit, type Viewer } from '../networks/access';
import type { NetworkSummary, Networks } from '../networks/networks';
import { reachableNodeIds } from '../shared/graph/reach';
import type { Graph } from '../shared/graph/types';
import type { ModelInfo } from '../shared/platforms/types';
import type { AnalyzeRun } from './analysis';
import { RUN_LIMIT_RETRY_SECONDS } from '../engine/capacity';
import { EXPERIMENT_LIMITS } from '../shared/experiments';
import { estimateCost, type CostEstimate } from './estimate';
import { planExperiment } from './plan';
import { runExperiment } from './runner';
import { ACTIVE, type ExperimentRow, type ExperimentStore } from './store';
import { experimentDetailJson, experimentJson } from './views';

export interface ExperimentServiceDeps {
	store: ExperimentStore;
	engine: Pick<Engine, 'start' | 'stop' | 'observed' | 'missingKeys' | 'runPlaces'>;
	runReader: RunReader;
	networks: Pick<Networks, 'access' | 'requireEditor'>;
	/** The network's graph as it is now (the live doc). */
	graph(networkId: string): Promise<Graph>;
	models: { resolve(modelId: string, ownerId: string): Promise<ModelInfo | undefined> };
	analyze: AnalyzeRun;
	/** Cancels and progress reach every process (the holder drives the runs; streams may be anywhere). */
	bus: ControlBus;
	processId: string;
	/** Experiment starts per user. */
	starts: RateLimit;
	/** Least milliseconds between two progress writes of one experiment's steps (default 500). */
	stepsEveryMs?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

/** Experiment starts per user: a handful at once, then one every 12 seconds. */
export const EXPERIMENT_STARTS = { burst: 5, windowMs: 60_000 } as const;

type BusMessage = { kind: 'changed'; id: string } | { kind: 'cancel'; id: string };
const TOPIC = 'experiments';

/** An experiment this process drives. */
interface Driven {
	abort: AbortController;
	/** Why it stopped early when not cancelled by a person (a run replaced, the server closing). */
	failure: string | null;
	done: Promise<void>;
}

/**
 * Experiments from the browser (issue 16): a prompt list × runs × a step budget on one network
 * of the app, made by the same runner as `npm run panic -- experiment` (runner.ts) and recorded
 * in the same result rows (summary.ts), `concurrency` runs at once, each on its own lane of the
 * network (lane 0 is the network's own run, the one its canvas shows). The process that starts
 * an experiment drives it; a network has one experiment at a time (the store's unique index)
 * and an experiment does not start over a run someone else has going. `changed` fires (on every process) whenever an
 * experiment's progress, runs or status changed.
 */
export class ExperimentService {
	readonly events = new EventEmitter<{ changed: [string] }>().setMaxListeners(0);
	private driven = new Map<string, Driven>();
	private unsubscribe: () => void;
	private closed = false;

	constructor(private deps: ExperimentServiceDeps) {
		this.unsubscribe = deps.bus.subscribe<BusMessage>(TOPIC, (message) => {
			if (message.kind === 'changed') this.events.emit('changed', message.id);
			else this.driven.get(message.id)?.abort.abort();
		});
	}

	/** What the experiment would cost, before starting it (editors). */
	async estimate(networkId: string, user: PublicUser, input: StartExperimentInput): Promise<CostEstimate> {
		const { network } = await this.deps.networks.requireEditor(networkId, user);
		const models = await this.reachableModels(networkId, network.ownerId);
		return estimateCost(models, input.prompts.length * input.runs * input.steps);
	}

	/** Starts an experiment on the network and answers at once; its runs follow (editors). */
	async start(networkId: string, user: PublicUser, input: StartExperimentInput) {
		if (this.closed) throw new AppError(503, 'The server is shutting down.');
		const taken = await this.deps.starts.take(user.id);
		if (!taken.ok) {
			const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
			throw tooManyRequests(`You started several experiments just now. Try again in ${seconds} seconds.`, seconds);
		}
		let row: ExperimentRow;
		let network: NetworkSummary;
		try {
			({ network } = await this.deps.networks.requireEditor(networkId, user));
			const concurrency = input.concurrency ?? 1;
			if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > EXPERIMENT_LIMITS.concurrency) {
				throw badRequest(`concurrency: 1 to ${EXPERIMENT_LIMITS.concurrency} runs at once.`);
			}
			await this.preflight(networkId, network.ownerId);
			if ((await this.deps.runReader.runningAmong([networkId])).length) {
				throw conflict('A run is going on this network. Stop it first: an experiment’s runs would replace it.');
			}
			await this.requirePlaces(network.ownerId, concurrency);
			row = await this.deps.store.create({
				networkId,
				createdBy: user.id,
				prompts: input.prompts,
				runsPerPrompt: input.runs,
				steps: input.steps,
				concurrency,
				holder: this.deps.processId
			});
		} catch (error) {
			// The limit counts experiments that started, not refusals.
			await this.deps.starts.refund(user.id);
			throw error;
		}
		this.drive(row, network.name, user);
		return experimentJson(row, network.name);
	}

	/** Ends an experiment: the run in flight stops and no more start (editors, or a site admin). */
	async cancel(id: string, user: PublicUser) {
		const row = await this.readable(id, user);
		const { role } = await this.deps.networks.access(row.networkId, user);
		if (!canEdit(role) && !user.is_admin) throw forbidden('Only the owner and invited editors can cancel experiments.');
		if (!ACTIVE.includes(row.status)) throw conflict(`The experiment has already ended (${row.status}).`);
		// Recorded first, so the runner, seeing its run end, starts no other.
		await this.deps.store.finish(id, 'cancelled', `Cancelled by ${user.email}.`);
		await this.deps.bus.publish<BusMessage>(TOPIC, { kind: 'cancel', id });
		for (const run of await this.deps.store.runs(id)) if (!run.result) await this.deps.engine.stop(run.runId, 'stopped');
		await this.changed(id);
		return experimentJson((await this.deps.store.get(id))!);
	}

	/** The network is being deleted: its experiment ends, and its driver (wherever it is) starts no more runs. */
	async networkDeleting(networkId: string): Promise<void> {
		const row = await this.deps.store.active(networkId);
		if (!row) return;
		await this.deps.store.finish(row.id, 'cancelled', 'The network was deleted.');
		this.driven.get(row.id)?.abort.abort();
		await this.deps.bus.publish<BusMessage>(TOPIC, { kind: 'cancel', id: row.id });
	}

	/** The network's experiments, newest first (anyone who may see the network). */
	async list(networkId: string, user: Viewer | null, limit = 50) {
		await this.deps.networks.access(networkId, user);
		return (await this.deps.store.list(networkId, limit)).map((row) => experimentJson(row));
	}

	/** An experiment with its runs, summary and result rows (anyone who may see its network). */
	async get(id: string, user: Viewer | null) {
		const row = await this.readable(id, user);
		const { network } = await this.deps.networks.access(row.networkId, user);
		return experimentDetailJson(row, await this.deps.store.runs(id), network.name);
	}

	/** What an experiment's atlas is of: its network and the runs that finished (those with a result row). */
	async finishedRuns(id: string, user: Viewer | null): Promise<{ networkId: string; runIds: string[] }> {
		const row = await this.readable(id, user);
		const runs = await this.deps.store.runs(id);
		return { networkId: row.networkId, runIds: runs.filter((r) => r.result !== null).map((r) => r.runId) };
	}

	/** The experiment, if `user` may see its network (404 otherwise, so hidden ones stay hidden). */
	async readable(id: string, user: Viewer | null): Promise<ExperimentRow> {
		const row = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await this.deps.store.get(id) : undefined;
		if (!row) throw notFound('No such experiment.');
		try {
			await this.deps.networks.access(row.networkId, user);
		} catch {
			throw notFound('No such experiment.');
		}
		return row;
	}

	/**
	 * After a restart: experiments left going by a process that is gone cannot go on (their
	 * driver died with it), so they are marked failed, saying so, and their unfinished runs are
	 * stopped. `holders`: the processes known gone; null for every one (the single process).
	 */
	async interruptLeftovers(holders: string[] | null): Promise<number> {
		const reason = 'The server restarted while this experiment ran; the runs listed finished before that.';
		const rows = await this.deps.store.interrupt(holders, reason);
		for (const row of rows) {
			// Any still running (stop does nothing to one that ended).
			for (const run of await this.deps.store.runs(row.id)) await this.deps.engine.stop(run.runId, 'stopped').catch(() => false);
		}
		return rows.length;
	}

	/** Experiments this process drives. */
	get driving(): number {
		return this.driven.size;
	}

	/** Settles when the experiment this process drives has ended (at once if it drives none such). */
	async settled(id: string): Promise<void> {
		await this.driven.get(id)?.done;
	}

	/** Shutting down: the experiments driven here stop, marked failed with why. */
	async close(): Promise<void> {
		this.closed = true;
		for (const driven of this.driven.values()) {
			driven.failure ??= 'The server shut down while this experiment ran; the runs listed finished before that.';
			driven.abort.abort();
		}
		await Promise.all([...this.driven.values()].map((d) => d.done));
		this.unsubscribe();
	}

	/** Refuses what would fail every run at once: no start node, one that takes no text, a missing key. */
	private async preflight(networkId: string, ownerId: string) {
		const graph = await this.deps.graph(networkId);
		const start = graph.nodes.find((n) => n.id === graph.startNodeId);
		if (!start) throw badRequest('Pick a start node first: the network has none.');
		const model = await this.deps.models.resolve(start.modelId, ownerId);
		if (!model) throw badRequest(`The start node's model ${start.modelId} is not available.`);
		if (model.input !== 'text') throw badRequest(`The start node (${model.name}) takes ${model.input}, but prompts are text. Pick a start node that takes text.`);
		const missing = await this.deps.engine.missingKeys(networkId, ownerId);
		if (missing.length) throw badRequest(`The network's owner has no key for ${missing.join(', ')}: add it before starting an experiment.`, { missingKeys: missing });
	}

	/**
	 * Refuses up front an experiment whose runs at once the run limits have no room for (every
	 * lane is a run of the owner's), rather than failing it half-way when a lane cannot start.
	 */
	private async requirePlaces(ownerId: string, concurrency: number) {
		const places = await this.deps.engine.runPlaces(ownerId);
		if (!places) return;
		const { limits, ownerHeld, totalHeld } = places;
		const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
		if (concurrency > limits.perOwner) {
			throw badRequest(`This server runs at most ${runs(limits.perOwner)} at once per account, and each run of an experiment counts: set concurrency to ${limits.perOwner} or less.`);
		}
		if (ownerHeld + concurrency > limits.perOwner) {
			throw new AppError(
				429,
				`This network's owner has ${runs(ownerHeld)} going and may run ${limits.perOwner} at once: ${runs(concurrency)} at once would pass that. Stop a run, or lower the concurrency to ${Math.max(1, limits.perOwner - ownerHeld)}.`,
				{ limit: 'runs-per-owner', max: limits.perOwner, retryAfterSeconds: RUN_LIMIT_RETRY_SECONDS }
			);
		}
		if (totalHeld + concurrency > limits.total) {
			throw new AppError(429, `This server is running ${runs(totalHeld)} of the ${limits.total} it takes at once: ${runs(concurrency)} more do not fit now. Try again later, or lower the concurrency.`, {
				limit: 'runs-total',
				max: limits.total,
				retryAfterSeconds: RUN_LIMIT_RETRY_SECONDS
			});
		}
	}

	private async reachableModels(networkId: string, ownerId: string): Promise<ModelInfo[]> {
		const graph = await this.deps.graph(networkId);
		if (!graph.startNodeId) throw badRequest('Pick a start node first: the network has none.');
		const reachable = reachableNodeIds(graph.startNodeId, graph.edges);
		const ids = [...new Set(graph.nodes.filter((n) => reachable.has(n.id)).map((n) => n.modelId))];
		const models = await Promise.all(ids.map((id) => this.deps.models.resolve(id, ownerId)));
		return models.filter((m): m is ModelInfo => m !== undefined);
	}

	private async changed(id: string) {
		await this.deps.bus.publish<BusMessage>(TOPIC, { kind: 'changed', id });
	}

	/** Makes the experiment's runs through the shared runner, recording each as it starts and ends. */
	private drive(row: ExperimentRow, networkName: string, user: PublicUser) {
		const { store } = this.deps;
		const abort = new AbortController();
		const plan = planExperiment([], row.prompts, row.runsPerPrompt, row.steps);
		// planExperiment makes cells per network; this experiment has the one.
		plan.cells = row.prompts.flatMap((_, promptIndex) => Array.from({ length: row.runsPerPrompt }, (_, run) => ({ networkIndex: 0, promptIndex, run })));
		const seqOf = (cell: { promptIndex: number; run: number }) => cell.promptIndex * row.runsPerPrompt + cell.run;
		let steps = 0;
		let stepsWrite: ReturnType<typeof setTimeout> | null = null;
		const writeSteps = () => {
			stepsWrite = null;
			void store
				.setSteps(row.id, steps)
				.then(() => this.changed(row.id))
				.catch((error) => this.log(`[experiments] ${row.id}: recording progress failed`, error));
		};
		const driven: Driven = { abort, failure: null, done: Promise.resolve() };
		driven.done = (async () => {
			try {
				await runExperiment(this.deps, user, plan, [{ id: row.networkId, name: networkName }], this.deps.analyze, {
					// Each run at once on its own lane of the one network; results still come in plan order.
					concurrency: row.concurrency,
					lanesPerNetwork: row.concurrency,
					signal: abort.signal,
					events: {
						runStarted: async (cell, runId) => {
							await store.addRun(row.id, { seq: seqOf(cell), promptIndex: cell.promptIndex, run: cell.run + 1, runId });
							await this.changed(row.id);
						},
						steps: (delta) => {
							steps += delta;
							stepsWrite ??= setTimeout(writeSteps, this.deps.stepsEveryMs ?? 500);
						},
						runFinished: async (result, cell) => {
							await store.finishRun(row.id, seqOf(cell), result, steps);
							await this.changed(row.id);
							// Someone else's run took the network (lane 0): going on would replace theirs in turn.
							// The abort stops the other lanes' runs in flight too.
							if (result.stopCause === 'replaced' && !abort.signal.aborted) {
								driven.failure = 'Another run started on this network and replaced the experiment’s run; the experiment stopped rather than replace that run in turn.';
								abort.abort();
							}
							// Cancelled (here or on another process): no further run starts.
							const now = await store.get(row.id);
							if (!now || !ACTIVE.includes(now.status)) abort.abort();
						}
					}
				});
				if (stepsWrite) clearTimeout(stepsWrite);
				await store.setSteps(row.id, steps);
				if (driven.failure) await store.finish(row.id, 'failed', driven.failure);
				else if (!abort.signal.aborted) await store.finish(row.id, 'done', null);
			} catch (error) {
				if (stepsWrite) clearTimeout(stepsWrite);
				const message = (error as Error).message ?? String(error);
				await store.finish(row.id, 'failed', driven.failure ?? `A run could not start: ${message}`).catch((e) => this.log(`[experiments] ${row.id}: recording the failure failed`, e));
			} finally {
				this.driven.delete(row.id);
				await this.changed(row.id).catch(() => {});
			}
		})();
		this.driven.set(row.id, driven);
	}

	private log(message: string, error: unknown) {
		(this.deps.log ?? console).error(message, error);
	}
}
