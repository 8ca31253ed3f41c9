import { fingerprintPayload, type OutputFingerprint } from '../analysis/fingerprint';
import type { AssetStore } from '../assets/store';
import type { Db } from '../db/connect';
import type { StopCause } from '../db/schema';
import { badRequest, conflict, notFound } from '../errors';
import { readGraph } from '../shared/graph/doc';
import type { Graph } from '../shared/graph/types';
import type { Catalogue } from '../platforms/catalogue';
import { PlatformError, type PlatformRegistry } from '../platforms/platform';
import type { RetryPolicy } from '../platforms/retry';
import type { HostedPlatformId, ModelInfo, Payload, PlatformId } from '../shared/platforms/types';
import type { RoomLease } from '../sync/rooms';
import type { SyncRoom } from '../sync/room';
import { FairTurns } from '../fair-turns';
import { OneAtATime } from '../one-at-a-time';
import { EngineEvents } from './events';
import { FeedLease } from './feed-lease';
import { FeedWriter, setRunState, updateRunState } from './feed';
import type { PendingInvocation } from './ledger';
import { loadPayload, payloadView, storePayload } from './payloads';
import { runLimitError, runLimitReached, type HeldRun, type RunLimits } from './capacity';
import { lockoutRemainingSeconds, statusFor } from './policy';
import { hostedPlatformsOf, missingKeysMessage, reachableNodeIds } from './preflight';
import { unavailableMessage } from '../shared/platforms/availability-view';
import { withSafetyFallback } from './safety';
import { RunController, type RunPlan, type RunStart } from './run-controller';
import { RunReader, type RunRow } from './run-reader';
import { RunWriter } from './run-writer';
import { resolveRunSettings, type RunSettings } from './settings';

/** The slice of SyncRooms the engine needs: the graph room to read, the feed room to hold. */
export interface EngineRooms {
	acquire(name: string): Promise<RoomLease>;
	withRoom<T>(name: string, fn: (room: SyncRoom) => T | Promise<T>): Promise<T>;
}

/**
 * What the engine needs of a network, from the networks domain (which owns the table): who
 * owns it (runs spend the owner's keys) and its stored run settings.
 */
export interface EngineNetworks {
	runInfo(networkId: string): Promise<{ ownerId: string; settings: unknown } | undefined>;
}

export interface EngineDeps {
	db: Db;
	rooms: EngineRooms;
	networks: EngineNetworks;
	catalogue: Catalogue;
	platforms: PlatformRegistry;
	assets: AssetStore;
	/** The network owner's key for a hosted platform (runs spend the owner's keys). */
	revealKey?: (userId: string, platform: PlatformId) => Promise<string | null>;
	/** Which hosted platforms a user has keys for (checked before a run starts). */
	keyPlatforms?: (userId: string) => Promise<PlatformId[]>;
	/**
	 * What the owner's providers last said they serve (issue 12): a run through a model they no
	 * longer serve is refused before it starts, and a step that finds its model gone says so.
	 */
	availability?: {
		unavailable(ownerId: string, models: readonly ModelInfo[]): Promise<Array<{ model: ModelInfo; reason: string }>>;
		modelGone(ownerId: string, model: ModelInfo, reason: string): Promise<void>;
	};
	/** Models beyond the curated catalogue (ones people added by name); the catalogue alone if absent. */
	models?: { resolve(modelId: string, ownerId: string): Promise<ModelInfo | undefined> };
	now?: () => number;
	retry?: Partial<RetryPolicy>;
	log?: { error(message: string, ...details: unknown[]): void };
	/** What this process takes on at once; each part absent means no limit. */
	limits?: EngineLimits;
}

export interface EngineLimits {
	/** Runs going at once, per network owner and in all. */
	runs?: RunLimits;
	/** Built-in models' steps (the call and its database writes) and hosted outputs' fingerprints at once, across every run. */
	stepsAtOnce?: number;
	/** Least milliseconds between the previous step's start and a hosted model's, whatever the pacing. */
	hostedStepFloorMs?: number;
}

export interface StartOptions {
	/** A start node other than the graph's `startNodeId` (a facilitator's pick). */
	startNodeId?: string;
}

interface ActiveRun {
	networkId: string;
	ownerId: string;
	controller: RunController;
	feed: FeedWriter;
	lease: FeedLease;
}

/** Everything `launch` needs to put a recorded run in motion. */
interface RunContext {
	networkId: string;
	ownerId: string;
	runId: string;
	startedAt: Date;
	settings: RunSettings;
	graph: GraphSnapshot;
	/** Where the run stands: its queue and counts (a fresh run: the first invocation). */
	start: RunStart;
	/** The network's feed room, held for the run. */
	lease: RoomLease;
	/** A new run (the feed's run state is replaced) rather than one resumed after a restart. */
	fresh: boolean;
	/** A run resumed paused: since when. */
	pausedAt?: Date | null;
}

/** The graph a run follows, with the entries of models that are not in the curated catalogue. */
type GraphSnapshot = Graph & { name?: string; models?: Record<string, ModelInfo> };

/**
 * Runs networks: one active run per network. Starting replaces the active run (cause
 * `replaced`); stopping ends it; on start-up, runs the database still marks running are
 * resumed from their stored queue. Starts and stops of one network are serialised, so two
 * people pressing start at once end with one run, the other recorded as replaced.
 */
export class Engine {
	/** Every write of runs and invocations (the controller's ledger too). */
	readonly writer: RunWriter;
	/** Every read of them: the runs API, exports, analysis and experiments share it. */
	readonly reader: RunReader;
	/** Runs started, paused, resumed and ended, cards and settings changes: subscribe with `events.on`. */
	readonly events: EngineEvents;
	private active = new Map<string, ActiveRun>();
	/** Starts under way (network → owner): they hold a place under the run limits already. */
	private starting = new Map<string, string>();
	/**
	 * Turns at the main thread for built-in models' steps and hosted outputs' fingerprints,
	 * round-robin between runs: unbounded unpaced steps would queue CPU work and PGlite queries
	 * ahead of every request (19 unpaced loops held /api/health for seconds).
	 */
	private readonly gate: FairTurns | null;
	/** Starts and stops of one network, one after another. */
	private locks = new OneAtATime();
	private state: 'open' | 'closed' = 'open';
	private readonly now: () => number;
	private readonly log: NonNullable<EngineDeps['log']>;

	constructor(private deps: EngineDeps) {
		this.writer = new RunWriter(deps.db);
		this.reader = new RunReader(deps.db);
		this.now = deps.now ?? Date.now;
		this.log = deps.log ?? console;
		this.events = new EngineEvents(this.log);
		this.gate = deps.limits?.stepsAtOnce ? new FairTurns(deps.limits.stepsAtOnce) : null;
	}

	/** Picks up every run left running by a previous process. Returns how many resumed. */
	async resume(): Promise<number> {
		let resumed = 0;
		for (const runId of await this.writer.runningIds()) {
			const run = await this.reader.get(runId);
			if (!run) continue;
			await this.locks.run(run.networkId, async () => {
				const previous = this.active.get(run.networkId);
				if (previous) await this.retire(previous, 'replaced'); // two left running: the newest wins
				const settings = resolveRunSettings(run.settings);
				const recovered = await this.writer.recover(runId, settings.maxAttempts);
				const ownerId = await this.ownerOf(run.networkId);
				const lease = await this.deps.rooms.acquire(`${run.networkId}/feed`);
				// A run paused before the restart comes back paused: the facilitator resumes it.
				const start: RunStart = { ...recovered, paused: run.pausedAt !== null };
				this.launch({
					networkId: run.networkId,
					ownerId,
					runId,
					startedAt: run.startedAt,
					settings,
					graph: run.graph as GraphSnapshot,
					start,
					lease,
					fresh: false,
					pausedAt: run.pausedAt
				});
				resumed++;
			}).catch((error) => this.log.error(`[engine] could not resume run ${runId}`, error));
		}
		return resumed;
	}

	/** Starts a run of the network with `input` at its start node, replacing the active run. */
	async start(networkId: string, input: Payload, startedBy: string | null, options: StartOptions = {}): Promise<{ runId: string }> {
		this.assertOpen();
		return this.locks.run(networkId, async () => {
			this.assertOpen();
			const network = await this.deps.networks.runInfo(networkId);
			if (!network) throw notFound('No such network.');
			this.holdPlace(networkId, network.ownerId);
			try {
				return await this.startHeld(networkId, network, input, startedBy, options);
			} finally {
				this.starting.delete(networkId);
			}
		});
	}

	/** Runs going (or starting) here, each holding a place under the run limits. */
	private *held(): Iterable<HeldRun> {
		for (const run of this.active.values()) yield run;
		for (const [networkId, ownerId] of this.starting) if (!this.active.has(networkId)) yield { networkId, ownerId };
	}

	/** Takes a place under the run limits for a start, or refuses it (429) naming the limit. */
	private holdPlace(networkId: string, ownerId: string) {
		const limits = this.deps.limits?.runs;
		const reached = limits && runLimitReached(this.held(), networkId, ownerId, limits);
		if (reached) throw runLimitError(reached, limits);
		this.starting.set(networkId, ownerId);
	}

	/** The rest of `start`, once its place is held. */
	private async startHeld(
		networkId: string,
		network: { ownerId: string; settings: unknown },
		input: Payload,
		startedBy: string | null,
		options: StartOptions
	): Promise<{ runId: string }> {
		const graph = await this.deps.rooms.withRoom(networkId, (room) => room.read(readGraph));
		const startNodeId = options.startNodeId ?? graph.startNodeId;
		const startNode = graph.nodes.find((n) => n.id === startNodeId);
		if (!startNodeId || !startNode) throw badRequest('Pick a start node first: the network has none.');
		const models = await this.resolveModels(graph, network.ownerId);
		const model = models.get(startNode.modelId);
		if (!model) throw badRequest(`The start node's model ${startNode.modelId} is not available.`);
		if (model.input !== input.kind) {
			throw badRequest(`The start node (${model.name}) takes ${model.input}, not ${input.kind}. Send ${model.input} or pick another start node.`);
		}
		await this.requireKeys(network.ownerId, graph, startNodeId, models);
		await this.requireAvailable(network.ownerId, graph, startNodeId, models);
		const settings = resolveRunSettings(network.settings);
		const storedInput = await storePayload(input, this.deps.assets);
		const custom = [...models.values()].filter((m) => !this.deps.catalogue.get(m.id));
		const snapshot: GraphSnapshot = {
			...graph,
			startNodeId,
			...(custom.length ? { models: Object.fromEntries(custom.map((m) => [m.id, m])) } : {})
		};

		// Held before the old run lets go of it, so the feed room stays loaded across the swap.
		const lease = await this.deps.rooms.acquire(`${networkId}/feed`);
		try {
			const previous = this.active.get(networkId);
			if (previous) await this.retire(previous, 'replaced');
			for (const orphan of await this.writer.runningIds(networkId)) await this.writer.finish(orphan, 'replaced');

			const { runId, first, startedAt } = await this.writer.create({
				networkId,
				startedBy,
				input: storedInput,
				settings,
				graph: snapshot,
				first: { nodeId: startNode.id, modelId: startNode.modelId }
			});
			const start: RunStart = { pending: [first], started: 0, completed: 0, spendUsd: 0 };
			this.launch({ networkId, ownerId: network.ownerId, runId, startedAt, settings, graph: snapshot, start, lease, fresh: true });
			return { runId };
		} catch (error) {
			await lease.release();
			throw error;
		}
	}

	/** Ends a run with `cause` (and for errors, `reason`). False when it was not running. */
	async stop(runId: string, cause: StopCause = 'stopped', reason?: string): Promise<boolean> {
		const run = [...this.active.values()].find((a) => a.controller.runId === runId);
		const networkId = run?.networkId ?? (await this.reader.get(runId))?.networkId;
		if (!networkId) return false;
		return this.locks.run(networkId, async () => {
			const current = this.active.get(networkId);
			if (current?.controller.runId === runId) return this.retire(current, cause, reason);
			return this.writer.finish(runId, cause, new Date(), reason); // not active here (e.g. failed to resume)
		});
	}

	/**
	 * Pauses a running run: nothing new starts, what is running finishes and fans out into the
	 * queue, which is kept (in the database too, so a restart resumes it paused). Pausing a
	 * paused run changes nothing. 409 when the run is not running.
	 */
	async pauseRun(runId: string): Promise<RunRow> {
		return this.setPaused(runId, true);
	}

	/** Lets a paused run go on from its queue; resuming a run that is not paused changes nothing. */
	async resumeRun(runId: string): Promise<RunRow> {
		return this.setPaused(runId, false);
	}

	/**
	 * Applies the network's stored settings to its active run at once (a facilitator changing
	 * the pacing mid-performance): the controller takes them, and the run's settings snapshot
	 * is replaced, so the run page shows what it now follows and a restart resumes with them.
	 */
	async applySettings(networkId: string): Promise<void> {
		await this.locks.run(networkId, async () => {
			const current = this.active.get(networkId);
			if (!current) return;
			const network = await this.deps.networks.runInfo(networkId);
			if (!network) return;
			const settings = resolveRunSettings(network.settings);
			if (!(await this.writer.updateSettings(current.controller.runId, settings))) return; // it ended meanwhile
			current.controller.updateSettings(settings);
			const { runId, plan } = current.controller;
			current.feed.write((doc) => updateRunState(doc, runId, { lockoutUntil: lockoutUntil(plan.startedAt, settings) }));
			this.events.emit('settingsChanged', { networkId, runId, settings });
		});
	}

	/**
	 * The hosted platforms a run of this network from its start node would need keys for and
	 * the owner has none saved (shown in the editor before anyone presses start).
	 */
	async missingKeys(networkId: string, ownerId: string): Promise<HostedPlatformId[]> {
		const graph = await this.deps.rooms.withRoom(networkId, (room) => room.read(readGraph));
		if (!graph.startNodeId) return [];
		const models = await this.resolveModels(graph, ownerId);
		return this.keysMissing(ownerId, graph, graph.startNodeId, models);
	}

	/** Ends the network's active run, if any (before deleting the network, say). */
	async stopNetwork(networkId: string, cause: StopCause = 'stopped'): Promise<void> {
		await this.locks.run(networkId, async () => {
			const current = this.active.get(networkId);
			if (current) await this.retire(current, cause);
			for (const orphan of await this.writer.runningIds(networkId)) await this.writer.finish(orphan, cause);
		});
	}

	/** The active run of a network, if one is running (or paused) in this process. */
	activeRun(networkId: string): { runId: string; startedAt: Date; settings: RunSettings; paused: boolean } | null {
		const run = this.active.get(networkId);
		if (!run) return null;
		const { controller } = run;
		return { runId: controller.runId, startedAt: controller.plan.startedAt, settings: controller.plan.settings, paused: controller.isPaused };
	}

	/**
	 * Seconds before a prompt may replace the network's active run (0: now). The audience
	 * prompt queue asks this before starting a run from a prompt.
	 */
	lockoutSeconds(networkId: string): number {
		const run = this.activeRun(networkId);
		if (!run) return 0;
		return lockoutRemainingSeconds(run.startedAt.getTime(), this.now(), run.settings.lockoutSeconds);
	}

	/**
	 * Shutdown: stops every controller and lets go of the feed rooms, but leaves the runs
	 * marked running in the database, so the next process resumes them.
	 */
	async close(): Promise<void> {
		if (this.state === 'closed') return;
		this.state = 'closed';
		await this.locks.idle();
		const runs = [...this.active.values()];
		this.active.clear();
		for (const run of runs) run.controller.close();
		await Promise.all(
			runs.map(async (run) => {
				await run.controller.settled();
				await run.feed.idle();
				await run.lease.release();
			})
		);
	}

	/** Starts a controller for a recorded run, holding the network's feed room through its lease. */
	private launch(context: RunContext): void {
		const { networkId, ownerId, runId, startedAt, settings, graph, start, fresh, pausedAt } = context;
		// A feed room that failed (its store refused a write) is loaded afresh and written there.
		const lease = new FeedLease(this.deps.rooms, `${networkId}/feed`, context.lease);
		const feed = new FeedWriter(lease.room, {
			onError: (error) => this.log.error(`[engine] feed of ${networkId}: write failed`, error),
			renew: () => lease.renew()
		});
		// Custom models as they were when the run started; curated ones from the catalogue.
		const models = new Map(Object.entries(graph.models ?? {}));
		const modelOf = (modelId: string) => this.deps.catalogue.get(modelId) ?? models.get(modelId);
		const plan: RunPlan = {
			runId,
			networkId,
			startedAt,
			settings,
			nodes: new Map(graph.nodes.map((n) => [n.id, n.modelId])),
			edges: graph.edges,
			stepFloorMs: this.stepFloors(graph.nodes.map((n) => modelOf(n.modelId)))
		};
		const params = new Map(graph.nodes.map((n) => [n.id, n.params ?? {}]));
		const controller = new RunController(plan, start, {
			ledger: this.writer,
			feed,
			invoke: (invocation, signal) => this.invoke(runId, invocation, modelOf(invocation.modelId), ownerId, params.get(invocation.nodeId) ?? {}, signal),
			// A built-in model's whole step (its database writes too) waits its turn at the gate:
			// PGlite answers on this thread as well, so unbounded steps queue up queries as much as CPU.
			inTurn: (invocation, signal, attempt) => (this.computesHere(modelOf(invocation.modelId)) ? this.onMainThread(runId, signal, attempt) : attempt()),
			onStop: (cause, reason) =>
				void this.stop(runId, cause, reason).catch((error) => this.log.error(`[engine] stopping ${runId} failed`, error)),
			onCard: (card) => this.events.emit('card', { networkId, runId, card }),
			onInvocations: () => this.events.emit('invocations', { networkId, runId }),
			now: this.now,
			retry: this.deps.retry,
			log: this.log
		});
		this.active.set(networkId, { networkId, ownerId, controller, feed, lease });
		const first = start.pending[0];
		feed.write((doc) =>
			setRunState(
				doc,
				{
					runId,
					status: start.paused ? 'paused' : 'running',
					startedAt: startedAt.toISOString(),
					pausedAt: start.paused ? (pausedAt ?? new Date(this.now())).toISOString() : undefined,
					step: start.completed,
					runningNodeIds: [],
					runningSeqs: [],
					lockoutUntil: lockoutUntil(startedAt, settings),
					...(fresh && first ? { input: payloadView(first.input) } : {})
				},
				fresh
			)
		);
		this.events.emit('started', { networkId, runId, resumedAfterRestart: !fresh, paused: !!start.paused });
		controller.begin();
	}

	/** Pauses or resumes a run: in its controller, in the database (for restarts) and in the feed. */
	private async setPaused(runId: string, paused: boolean): Promise<RunRow> {
		const active = [...this.active.values()].find((a) => a.controller.runId === runId);
		const networkId = active?.networkId ?? (await this.reader.get(runId))?.networkId;
		if (!networkId) throw notFound('No such run.');
		return this.locks.run(networkId, async () => {
			const found = this.active.get(networkId);
			// Not active in this process (it failed to resume): the row is all there is to change.
			const controller = found?.controller.runId === runId ? found.controller : null;
			// A pause holds starts from this instant, before the write; a resume goes once it is recorded.
			const heldNow = paused && controller ? controller.pause() : false;
			if (!(await this.writer.setPaused(runId, paused ? new Date(this.now()) : null))) {
				throw conflict(paused ? 'Only a running run can be paused; this one has ended.' : 'Only a running run can be resumed; this one has ended.');
			}
			const changed = paused ? heldNow : (controller?.resume() ?? false);
			const run = (await this.reader.get(runId))!;
			if (changed && found) {
				const pausedAt = run.pausedAt?.toISOString();
				found.feed.write((doc) =>
					updateRunState(doc, runId, paused ? { status: 'paused', pausedAt } : { status: 'running', pausedAt: undefined })
				);
				// The facilitator's screen and the feed agree by the time the request answers.
				await found.feed.idle();
			}
			if (changed) this.events.emit(paused ? 'paused' : 'resumed', { networkId, runId });
			return run;
		});
	}

	/** Ends an active run: its controller closed, the cause recorded, the feed told. */
	private async retire(run: ActiveRun, cause: StopCause, reason?: string): Promise<boolean> {
		const { controller, feed, lease } = run;
		controller.close();
		if (this.active.get(run.networkId) === run) this.active.delete(run.networkId);
		const { networkId } = run;
		const { runId } = controller;
		let ended: boolean;
		try {
			ended = await this.writer.finish(runId, cause, new Date(), reason);
		} finally {
			// Recorded (or not: its place under the run limits is free all the same).
			this.events.emit('ended', { networkId, runId, cause, reason, completedSteps: controller.completedSteps });
		}
		feed.write((doc) =>
			updateRunState(doc, controller.runId, {
				status: statusFor(cause),
				stopCause: cause,
				runningNodeIds: [],
				runningSeqs: [],
				error: reason,
				pausedAt: undefined
			})
		);
		await feed.idle();
		await lease.release();
		return ended;
	}

	/**
	 * The server's least step interval for each hosted model of a run (none for built-in
	 * models): a loop of hosted models spends the owner's money and provider quota however
	 * fast its pacing asks to go.
	 */
	private stepFloors(models: Array<ModelInfo | undefined>): Map<string, number> {
		const floor = this.deps.limits?.hostedStepFloorMs ?? 0;
		const floors = new Map<string, number>();
		if (floor <= 0) return floors;
		for (const model of models) if (model && !this.computesHere(model)) floors.set(model.id, floor);
		return floors;
	}

	/** Whether a model runs in this process (a missing one fails at once, so it may as well wait its turn). */
	private computesHere(model: ModelInfo | undefined): boolean {
		return !model || !!this.deps.platforms.get(model.platform)?.runsInProcess;
	}

	/** Runs CPU-heavy step work when the run gets its turn at the step gate (at once without one). */
	private onMainThread<T>(runId: string, signal: AbortSignal, task: () => T | Promise<T>): Promise<T> {
		return this.gate ? this.gate.run(runId, signal, task) : Promise.resolve().then(task);
	}

	private async invoke(
		runId: string,
		invocation: PendingInvocation,
		model: ModelInfo | undefined,
		ownerId: string,
		params: Record<string, unknown>,
		signal: AbortSignal
	) {
		if (!model) throw new PlatformError(`The model ${invocation.modelId} is not available on this server.`);
		const platform = this.deps.platforms.get(model.platform);
		if (!platform) throw new PlatformError(`${model.platform} models cannot run on this server yet.`);
		let key: string | undefined;
		if (platform.needsKey) {
			key = (await this.deps.revealKey?.(ownerId, model.platform)) ?? undefined;
			// Removed mid-run: every later call would fail the same way, so the run stops.
			if (!key) throw new PlatformError(missingKeysMessage([model.platform as HostedPlatformId]), { kind: 'auth' });
		}
		const input = await loadPayload(invocation.input, this.deps.assets);
		const result = await withSafetyFallback(model, input, signal, (attemptInput) =>
			platform.invoke(model, attemptInput, { signal, key, params })
		).catch(async (error: unknown) => {
			// The provider no longer serves the model: the canvas and the next start say so at once.
			if (error instanceof PlatformError && error.kind === 'model_gone') {
				await this.deps.availability?.modelGone(ownerId, model, error.message).catch((e) => this.log.error(`[engine] marking ${model.id} gone failed`, e));
			}
			throw error;
		});
		const fingerprint = () => fingerprintOrNothing(result.output);
		return {
			output: await storePayload(result.output, this.deps.assets),
			// While the bytes are in memory: exact hash and local fingerprint for loop detection.
			// A built-in model's step holds its turn already; a hosted output takes one for this.
			fingerprint: platform.runsInProcess ? fingerprint() : await this.onMainThread(runId, signal, fingerprint),
			requestId: result.requestId,
			costUsd: result.costUsd,
			metrics: result.metrics
		};
	}

	/** Every node's model, from the curated catalogue or the ones people added by name. */
	private async resolveModels(graph: Graph, ownerId: string): Promise<Map<string, ModelInfo>> {
		const ids = [...new Set(graph.nodes.map((n) => n.modelId))];
		const found = await Promise.all(
			ids.map(async (id) => this.deps.catalogue.get(id) ?? (await this.deps.models?.resolve(id, ownerId)))
		);
		return new Map(found.filter((m): m is ModelInfo => m !== undefined).map((m) => [m.id, m]));
	}

	private async keysMissing(ownerId: string, graph: Graph, startNodeId: string, models: Map<string, ModelInfo>): Promise<HostedPlatformId[]> {
		const reachable = reachableNodeIds(startNodeId, graph.edges);
		const used = graph.nodes.filter((n) => reachable.has(n.id)).flatMap((n) => models.get(n.modelId) ?? []);
		const needed = hostedPlatformsOf(used).filter((p) => this.deps.platforms.get(p)?.needsKey);
		if (!needed.length) return [];
		const saved = new Set(await (this.deps.keyPlatforms?.(ownerId) ?? Promise.resolve([])));
		return needed.filter((p) => !saved.has(p));
	}

	/** Refuses to start a run whose owner lacks a key some reachable node needs. */
	private async requireKeys(ownerId: string, graph: Graph, startNodeId: string, models: Map<string, ModelInfo>) {
		const missing = await this.keysMissing(ownerId, graph, startNodeId, models);
		if (missing.length) throw badRequest(missingKeysMessage(missing), { missingKeys: missing });
	}

	/** Refuses to start a run through a model the owner's providers no longer serve, naming each one and why. */
	private async requireAvailable(ownerId: string, graph: Graph, startNodeId: string, models: Map<string, ModelInfo>) {
		if (!this.deps.availability) return;
		const reachable = reachableNodeIds(startNodeId, graph.edges);
		const used = [...new Set(graph.nodes.filter((n) => reachable.has(n.id)).map((n) => n.modelId))].flatMap((id) => models.get(id) ?? []);
		const gone = await this.deps.availability.unavailable(ownerId, used);
		if (!gone.length) return;
		const list = gone.map(({ model, reason }) => ({ id: model.id, name: model.name, reason }));
		throw badRequest(unavailableMessage(list), { unavailableModels: list });
	}

	private async ownerOf(networkId: string): Promise<string> {
		const network = await this.deps.networks.runInfo(networkId);
		if (!network) throw notFound(`No such network: ${networkId}.`);
		return network.ownerId;
	}

	private assertOpen() {
		if (this.state === 'closed') throw new Error('The engine is shut down.');
	}
}

/** A fingerprint, or none (the controller falls back to the stored payload) if computing it failed. */
function fingerprintOrNothing(output: Payload): OutputFingerprint | undefined {
	try {
		return fingerprintPayload(output);
	} catch {
		return undefined;
	}
}

/** When a prompt may replace a run (ISO), for countdowns on phones and projectors. */
const lockoutUntil = (startedAt: Date, settings: RunSettings) => new Date(startedAt.getTime() + settings.lockoutSeconds * 1000).toISOString();
