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
import type { EventEmitter } from 'node:events';
import type { ControlBus } from '../cluster/bus';
import { LocalRunLeases, type HoldEnd, type Holding, type RunHost, type RunLeases } from '../cluster/run-leases';
import { EngineEvents, type EngineEventName, type EngineEventSource } from './events';
import { FeedLease } from './feed-lease';
import { FeedWriter, setRunState, updateRunState, type FeedRoom } from './feed';
import type { PendingInvocation, RunLedger } from './ledger';
import { loadPayload, payloadView, storePayload } from './payloads';
import { runLimitError, runLimitReached, type HeldRun, type RunLimits } from './capacity';
import { lockoutRemainingSeconds, statusFor } from './policy';
import { hostedPlatformsOf, missingKeysMessage, reachableNodeIds } from './preflight';
import { unavailableMessage } from '../shared/platforms/availability-view';
import { withSafetyFallback } from './safety';
import { RunController, type RunPlan, type RunStart } from './run-controller';
import { RunReader, type RunRow } from './run-reader';
import { RunWriter } from './run-writer';
import { resolveRunSettings, type RunSettings, type RunSettingsInput } from './settings';

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
	idsOwnedBy(ownerId: string): Promise<string[]>;
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
	/** Cluster mode (server/cluster); absent: this process holds every run itself. */
	cluster?: EngineCluster;
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
	/**
	 * Settings for this run instead of the network's stored ones (an experiment's budget and
	 * no pacing, without changing what the network's own runs follow).
	 */
	settings?: RunSettingsInput;
	/**
	 * The lane to run in (default 0, the network's own run). An experiment running several runs
	 * at once gives each its own lane 1..: a start replaces only its lane's running run, and a
	 * lane other than 0 writes no feed (the canvas, phones and displays follow lane 0 alone).
	 */
	lane?: number;
}

/** Lanes a network may have: an experiment runs at most EXPERIMENT_LIMITS.concurrency (4) at once. */
export const MAX_LANES = 8;

/**
 * Where a run runs, as the engine keys its runs, starts and locks: a network's own run (lane 0)
 * by the network id, so everything that means "the network's run" looks it up as before;
 * another lane by network and lane.
 */
export const slotKey = (networkId: string, lane = 0): string => (lane ? `${networkId}#${lane}` : networkId);

interface ActiveRun {
	networkId: string;
	lane: number;
	/** slotKey(networkId, lane). */
	slot: string;
	ownerId: string;
	controller: RunController;
	feed: FeedWriter;
	/** The feed room held for the run (lane 0), or nothing to let go of (other lanes write no feed). */
	lease: Pick<FeedLease, 'release'>;
	/** The holder's writer: every write matches the run's fencing token. */
	writer: RunWriter;
	/** What the leases wait on: settles when this process no longer holds the run. */
	holding: Holding;
	letGo(end: HoldEnd): void;
}

/** Everything `launch` needs to put a recorded run in motion. */
interface RunContext {
	networkId: string;
	lane: number;
	ownerId: string;
	runId: string;
	startedAt: Date;
	settings: RunSettings;
	graph: GraphSnapshot;
	/** Where the run stands: its queue and counts (a fresh run: the first invocation). */
	start: RunStart;
	/** The network's feed room, held for the run; null for a lane other than 0 (it writes no feed). */
	lease: RoomLease | null;
	/** A new run (the feed's run state is replaced) rather than one taken over after a restart or another holder. */
	fresh: boolean;
	/** A run resumed paused: since when. */
	pausedAt?: Date | null;
	/** Fenced by the token this process took the run with. */
	writer: RunWriter;
}

/** The graph a run follows, with the entries of models that are not in the curated catalogue. */
type GraphSnapshot = Graph & { name?: string; models?: Record<string, ModelInfo> };

/**
 * How an engine joins a cluster (server/cluster): runs held through BullMQ leases, control
 * messages to a run's holder and the holders' events to every process over the bus.
 */
export interface EngineCluster {
	processId: string;
	bus: ControlBus;
	/** Who holds runs, given the engine to call back (server/cluster/run-leases.ts). */
	leases(host: RunHost): RunLeases;
}

/**
 * What a process asks of a run's holder over the bus. The change is stored in PostgreSQL
 * first; the holder reads the stored state when the message arrives (and whoever takes a run
 * over reads it anyway), so a lost or late message never leaves a run in the wrong state for long.
 */
interface RunControl {
	kind: 'ended' | 'paused' | 'settings';
	networkId: string;
	/** The run's lane (absent from older processes: 0). */
	lane?: number;
	runId: string;
}

interface RelayedEvent {
	name: EngineEventName;
	payload: unknown;
}

const CONTROL_TOPIC = 'runs:control';
const EVENTS_TOPIC = 'runs:events';
const EVENT_NAMES: readonly EngineEventName[] = ['started', 'paused', 'resumed', 'ended', 'card', 'invocations', 'settingsChanged'];

/**
 * Runs networks: one running run per network and lane (an index; lane 0 is the network's own
 * run, lanes 1.. an experiment's extra runs at once). Starting replaces the running run of its
 * lane (cause `replaced`) in the transaction that records the new one; stopping ends it; on
 * start-up, runs the database still marks running get a holder and go on from their stored
 * queue. Starts and stops of one slot (network and lane) are serialised within a process, and
 * the index settles two starts racing on two processes: one run, the other recorded as replaced.
 *
 * A run is held by one process (single mode: this one; cluster mode: whichever took its BullMQ
 * job), which takes it with a fencing token (`take`). Stops, pauses and settings changes are
 * written by whichever process was asked and reach the holder over the bus (`control`).
 */
export class Engine implements RunHost {
	/** Every write of runs and invocations (the controller's ledger too, fenced: `writer.holding`). */
	readonly writer: RunWriter;
	/** Every read of them: the runs API, exports, analysis and experiments share it. */
	readonly reader: RunReader;
	/**
	 * Events of the runs this process holds: for side effects that must happen once across the
	 * cluster (Vestaboard writes; the feed room's cards are written by the holder itself).
	 */
	readonly events: EngineEvents;
	/**
	 * Events of every run, whichever process holds it: for what shows things (the run page's
	 * live stream, experiments watching their runs). In the single process this is `events`
	 * itself. In cluster mode each holder relays its `events` over the bus and every process
	 * (the holder too) emits them here; kept apart from `events` so that a side effect
	 * subscribed there never runs once per process.
	 */
	readonly observed: EngineEventSource;
	/** Runs held here, by slot (slotKey). */
	private active = new Map<string, ActiveRun>();
	/** Starts under way (slot → owner): they hold a place under the run limits already. */
	private starting = new Map<string, { ownerId: string }>();
	/**
	 * Turns at the main thread for built-in models' steps and hosted outputs' fingerprints,
	 * round-robin between runs: unbounded unpaced steps would queue CPU work and PGlite queries
	 * ahead of every request (19 unpaced loops held /api/health for seconds).
	 */
	private readonly gate: FairTurns | null;
	/** Starts and stops of one slot (a network's lane), one after another. */
	private locks = new OneAtATime();
	private state: 'open' | 'closed' = 'open';
	private readonly now: () => number;
	private readonly log: NonNullable<EngineDeps['log']>;
	private readonly leases: RunLeases;
	private readonly processId: string;
	private readonly unsubscribe: Array<() => void> = [];

	constructor(private deps: EngineDeps) {
		this.writer = new RunWriter(deps.db);
		this.reader = new RunReader(deps.db);
		this.now = deps.now ?? Date.now;
		this.log = deps.log ?? console;
		this.events = new EngineEvents(this.log);
		this.gate = deps.limits?.stepsAtOnce ? new FairTurns(deps.limits.stepsAtOnce) : null;
		const cluster = deps.cluster;
		this.processId = cluster?.processId ?? 'local';
		if (!cluster) {
			this.observed = this.events;
			this.leases = new LocalRunLeases(this, { warn: (...a: unknown[]) => this.log.error(String(a[0]), ...a.slice(1)), error: (...a: unknown[]) => this.log.error(String(a[0]), ...a.slice(1)) });
			return;
		}
		const observed = new EngineEvents(this.log);
		this.observed = observed;
		const events = this.events as EventEmitter;
		for (const name of EVENT_NAMES) {
			events.on(name, (payload: unknown) =>
				void cluster.bus.publish<RelayedEvent>(EVENTS_TOPIC, { name, payload }).catch((error) => this.log.error(`[engine] relaying '${name}' failed`, error))
			);
		}
		this.unsubscribe.push(
			cluster.bus.subscribe<RelayedEvent>(EVENTS_TOPIC, ({ name, payload }) => (observed as EventEmitter).emit(name, payload)),
			cluster.bus.subscribe<RunControl>(CONTROL_TOPIC, (message) =>
				void this.control(message).catch((error) => this.log.error(`[engine] applying ${message.kind} of run ${message.runId} failed`, error))
			)
		);
		this.leases = cluster.leases(this);
	}

	/**
	 * Start-up: every run the database still marks running gets a holder (single mode: this
	 * process, from its stored queue; cluster mode: its job is made sure of, and this process
	 * starts taking jobs). Returns how many were taken (single) or placed (cluster).
	 */
	async resume(): Promise<number> {
		return this.leases.adopt(await this.writer.runningIds());
	}

	/**
	 * Takes a running run over here: bumps its fencing token, recovers what it goes on from
	 * (interrupted invocations back in the queue, pacing from the last stored start), and puts
	 * it in motion, paused if it is paused. Null when it is not running.
	 */
	async take(runId: string): Promise<Holding | null> {
		if (this.state === 'closed') return RELEASED;
		const run = await this.reader.get(runId);
		if (!run || run.status !== 'running') return null;
		const slot = slotKey(run.networkId, run.lane);
		return this.locks.run(slot, async () => {
			if (this.state === 'closed') return RELEASED;
			const here = this.active.get(slot);
			if (here?.controller.runId === runId) return here.holding;
			const taken = await this.writer.takeOver(runId, this.processId, resolveRunSettings(run.settings).maxAttempts);
			if (!taken) return null;
			// One running run per lane: another one held here has ended, and its message is late.
			if (here) await this.endedElsewhere(here);
			const ownerId = await this.ownerOf(run.networkId);
			const lease = run.lane ? null : await this.deps.rooms.acquire(`${run.networkId}/feed`);
			const active = this.launch({
				networkId: run.networkId,
				lane: run.lane,
				ownerId,
				runId,
				startedAt: run.startedAt,
				settings: resolveRunSettings(taken.settings),
				graph: run.graph as GraphSnapshot,
				// A run paused before the restart (or takeover) comes back paused: the facilitator resumes it.
				start: { ...taken.recovered, paused: taken.pausedAt !== null },
				lease,
				fresh: taken.first,
				pausedAt: taken.pausedAt,
				writer: this.writer.holding(taken.lease)
			});
			return active.holding;
		});
	}

	/** The lease of a run held here could not be renewed: another process may hold it now. */
	lost(runId: string): void {
		const run = this.heldHere(runId);
		if (!run) return;
		void this.locks
			.run(run.slot, async () => {
				if (this.active.get(run.slot) === run) await this.lostHere(run);
			})
			.catch((error) => this.log.error(`[engine] letting go of run ${runId} failed`, error));
	}

	/**
	 * Starts a run of the network with `input` at its start node, replacing the running run of
	 * its lane (`options.lane`, the network's own run unless given).
	 */
	async start(networkId: string, input: Payload, startedBy: string | null, options: StartOptions = {}): Promise<{ runId: string }> {
		this.assertOpen();
		const lane = options.lane ?? 0;
		if (!Number.isInteger(lane) || lane < 0 || lane >= MAX_LANES) throw badRequest(`A run's lane is a whole number from 0 to ${MAX_LANES - 1}.`);
		const slot = slotKey(networkId, lane);
		const place = {};
		const { runId, keep } = await this.locks.run(slot, async () => {
			this.assertOpen();
			const network = await this.deps.networks.runInfo(networkId);
			if (!network) throw notFound('No such network.');
			await this.holdPlace(slot, network.ownerId, place);
			try {
				return await this.record(networkId, lane, network, input, startedBy, options);
			} catch (error) {
				this.freePlace(slot, place);
				throw error;
			}
		});
		try {
			await this.leases.place(runId);
		} finally {
			this.freePlace(slot, place);
			await keep?.release();
		}
		return { runId };
	}

	/**
	 * The run limits this engine keeps and how many places the owner's runs hold now (every lane
	 * one; across processes in cluster mode), so an experiment asking for several runs at once
	 * is refused up front rather than half-way. Null: no limits.
	 */
	async runPlaces(ownerId: string): Promise<{ limits: RunLimits; ownerHeld: number; totalHeld: number } | null> {
		const limits = this.deps.limits?.runs;
		if (!limits) return null;
		const mine = this.deps.cluster ? await this.heldByOwner(ownerId) : [...this.held()].filter((r) => r.ownerId === ownerId);
		return { limits, ownerHeld: mine.length, totalHeld: [...this.held()].length };
	}

	/** Runs going (or starting) here, each holding a place under the run limits. */
	private *held(): Iterable<HeldRun> {
		for (const run of this.active.values()) yield run;
		for (const [slot, { ownerId }] of this.starting) if (!this.active.has(slot)) yield { slot, ownerId };
	}

	/**
	 * Takes a place under the run limits for a start, or refuses it (429) naming the limit.
	 * In cluster mode the owner's runs are counted across processes, from the database; the
	 * total is each process's own (the runs its worker takes at once).
	 */
	private async holdPlace(slot: string, ownerId: string, place: object) {
		const limits = this.deps.limits?.runs;
		const held = limits && this.deps.cluster ? await this.heldByOwner(ownerId) : this.held();
		const reached = limits && runLimitReached(held, slot, ownerId, limits);
		if (limits && reached) throw runLimitError(reached, limits);
		this.starting.set(slot, { ownerId });
		this.places.set(slot, place);
	}

	/** Which start holds a slot's place (a later start in the same slot takes it over). */
	private places = new Map<string, object>();

	/**
	 * Runs started with settings of their own (an experiment's budget): the network's settings
	 * changing mid-run do not replace them. Known to the process that started them.
	 */
	private ownSettings = new Set<string>();

	private freePlace(slot: string, place: object) {
		if (this.places.get(slot) !== place) return;
		this.places.delete(slot);
		this.starting.delete(slot);
	}

	/** The owner's running runs on every process (from the database), and starts under way here, by slot. */
	private async heldByOwner(ownerId: string): Promise<HeldRun[]> {
		const running = await this.reader.runningAmong(await this.deps.networks.idsOwnedBy(ownerId));
		const slots = new Set(running.map((r) => slotKey(r.networkId, r.lane)));
		for (const [slot, starting] of this.starting) if (starting.ownerId === ownerId) slots.add(slot);
		return [...slots].map((slot) => ({ slot, ownerId }));
	}

	/**
	 * Records a new run, ending the running run of its lane in the same transaction; its holder
	 * (here, or told over the bus) follows. Returns the feed room held across the swap, so it
	 * stays loaded until the new run holds it (none for a lane that writes no feed).
	 */
	private async record(
		networkId: string,
		lane: number,
		network: { ownerId: string; settings: unknown },
		input: Payload,
		startedBy: string | null,
		options: StartOptions
	): Promise<{ runId: string; keep: RoomLease | null }> {
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
		// An experiment's settings win over the network's, field by field.
		const settings = resolveRunSettings(options.settings ? { ...(network.settings as object | null), ...options.settings } : network.settings);
		const storedInput = await storePayload(input, this.deps.assets);
		const custom = [...models.values()].filter((m) => !this.deps.catalogue.get(m.id));
		const snapshot: GraphSnapshot = {
			...graph,
			startNodeId,
			...(custom.length ? { models: Object.fromEntries(custom.map((m) => [m.id, m])) } : {})
		};

		// Held before the old run lets go of it, so the feed room stays loaded across the swap.
		const keep = lane ? null : await this.deps.rooms.acquire(`${networkId}/feed`);
		const slot = slotKey(networkId, lane);
		try {
			const { runId, replaced } = await this.writer.create({
				networkId,
				lane,
				startedBy,
				input: storedInput,
				settings,
				graph: snapshot,
				first: { nodeId: startNode.id, modelId: startNode.modelId }
			});
			if (options.settings) this.ownSettings.add(runId);
			for (const old of replaced) {
				const here = this.active.get(slot);
				if (here?.controller.runId === old) await this.wrapUp(here, 'replaced');
				this.tell({ kind: 'ended', networkId, lane, runId: old });
			}
			return { runId, keep };
		} catch (error) {
			await keep?.release();
			throw error;
		}
	}

	/** Ends a run with `cause` (and for errors, `reason`). False when it was not running. */
	async stop(runId: string, cause: StopCause = 'stopped', reason?: string): Promise<boolean> {
		const where = this.heldHere(runId) ?? (await this.reader.get(runId));
		if (!where) return false;
		const { networkId, lane } = where;
		const slot = slotKey(networkId, lane);
		return this.locks.run(slot, async () => {
			const current = this.active.get(slot);
			const here = current?.controller.runId === runId ? current : null;
			// Nothing new starts while the stop is written.
			here?.controller.close();
			const ended = await this.writer.finish(runId, cause, new Date(), reason);
			if (here) {
				if (ended) await this.wrapUp(here, cause, reason);
				else await this.endedElsewhere(here);
			}
			if (ended) this.tell({ kind: 'ended', networkId, lane, runId });
			return ended;
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
	 * Applies the network's stored settings to its running run at once (a facilitator changing
	 * the pacing mid-performance): the run's settings snapshot is replaced, so the run page
	 * shows what it now follows and a restart resumes with them, and the holder's controller
	 * takes them (here at once, or told over the bus). The network's own run (lane 0) only: the
	 * other lanes are an experiment's, which follow the experiment's settings.
	 */
	async applySettings(networkId: string): Promise<void> {
		await this.locks.run(networkId, async () => {
			const current = this.active.get(networkId);
			const runIds = current ? [current.controller.runId] : this.deps.cluster ? await this.writer.runningIds(networkId, 0) : [];
			if (!runIds.length) return;
			const network = await this.deps.networks.runInfo(networkId);
			if (!network) return;
			const settings = resolveRunSettings(network.settings);
			for (const runId of runIds) {
				if (this.ownSettings.has(runId)) continue;
				if (!(await this.writer.updateSettings(runId, settings))) continue; // it ended meanwhile
				if (current) this.followSettings(current, settings);
				else this.tell({ kind: 'settings', networkId, lane: 0, runId });
			}
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

	/** Ends the network's running runs, every lane's, if any (before deleting the network, say). */
	async stopNetwork(networkId: string, cause: StopCause = 'stopped'): Promise<void> {
		const lanes = new Set([0]);
		for (const run of this.active.values()) if (run.networkId === networkId) lanes.add(run.lane);
		for (const { lane } of await this.reader.runningAmong([networkId])) lanes.add(lane);
		for (const lane of lanes) await this.stopLane(networkId, lane, cause);
	}

	/** Ends the running run of one lane of a network, wherever it is held. */
	private async stopLane(networkId: string, lane: number, cause: StopCause): Promise<void> {
		const slot = slotKey(networkId, lane);
		await this.locks.run(slot, async () => {
			const current = this.active.get(slot);
			current?.controller.close();
			for (const runId of await this.writer.runningIds(networkId, lane)) {
				if (!(await this.writer.finish(runId, cause))) continue;
				if (current?.controller.runId === runId) await this.wrapUp(current, cause);
				this.tell({ kind: 'ended', networkId, lane, runId });
			}
			if (current && this.active.get(slot) === current) await this.endedElsewhere(current);
		});
	}

	/** The active run of a network (its own, lane 0), if one is running (or paused) in this process. */
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
	 * marked running in the database, so the next process (or, in a cluster, another live
	 * one at once) takes them over.
	 */
	async close(): Promise<void> {
		if (this.state === 'closed') return;
		this.state = 'closed';
		// Takes no more runs; resolves once the runs held here are handed back below.
		const leasesClosed = this.leases.close();
		await this.locks.idle();
		const runs = [...this.active.values()];
		this.active.clear();
		for (const run of runs) run.controller.close();
		await Promise.all(
			runs.map(async (run) => {
				await run.controller.settled();
				await run.feed.idle();
				await run.lease.release();
				run.letGo('released');
			})
		);
		await leasesClosed;
		for (const unsubscribe of this.unsubscribe) unsubscribe();
	}

	/**
	 * Starts a controller for a recorded run, holding the network's feed room through its lease
	 * (lane 0); a run on another lane writes its feed nowhere, so the network's canvas, phones
	 * and displays show one run, the network's own.
	 */
	private launch(context: RunContext): ActiveRun {
		const { networkId, lane, ownerId, runId, startedAt, settings, graph, start, fresh, pausedAt, writer } = context;
		const slot = slotKey(networkId, lane);
		// A feed room that failed (its store refused a write) is loaded afresh and written there.
		const lease = context.lease ? new FeedLease(this.deps.rooms, `${networkId}/feed`, context.lease) : null;
		const feed = new FeedWriter(lease?.room ?? NO_FEED, {
			onError: (error) => this.log.error(`[engine] feed of ${networkId}: write failed`, error),
			renew: () => lease?.renew() ?? Promise.resolve(null)
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
			ledger: this.fenced(slot, runId, writer),
			feed,
			invoke: (invocation, signal) => this.invoke(runId, invocation, modelOf(invocation.modelId), ownerId, params.get(invocation.nodeId) ?? {}, signal),
			// A built-in model's whole step (its database writes too) waits its turn at the gate:
			// PGlite answers on this thread as well, so unbounded steps queue up queries as much as CPU.
			inTurn: (invocation, signal, attempt) => (this.computesHere(modelOf(invocation.modelId)) ? this.onMainThread(runId, signal, attempt) : attempt()),
			onStop: (cause, reason) =>
				void this.endByItself(slot, runId, cause, reason).catch((error) => this.log.error(`[engine] stopping ${runId} failed`, error)),
			onCard: (card) => this.events.emit('card', { networkId, lane, runId, card }),
			onInvocations: () => this.events.emit('invocations', { networkId, lane, runId }),
			now: this.now,
			retry: this.deps.retry,
			log: this.log
		});
		let letGo!: (end: HoldEnd) => void;
		const done = new Promise<HoldEnd>((resolve) => (letGo = resolve));
		const active: ActiveRun = { networkId, lane, slot, ownerId, controller, feed, lease: lease ?? NO_LEASE, writer, holding: { done }, letGo };
		this.active.set(slot, active);
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
		this.events.emit('started', { networkId, lane, runId, resumedAfterRestart: !fresh, paused: !!start.paused });
		controller.begin();
		return active;
	}

	/**
	 * The controller's ledger: the holder's fenced writer. A write it refuses means the run
	 * ended (stopped elsewhere, its message not here yet) or another process took it over;
	 * either way this process looks at the row and follows.
	 */
	private fenced(slot: string, runId: string, writer: RunWriter): RunLedger {
		const check = <T>(result: T): T => {
			if (result === false || result === null) void this.refused(slot, runId).catch((error) => this.log.error(`[engine] checking run ${runId} failed`, error));
			return result;
		};
		return {
			markRunning: async (...args) => check(await writer.markRunning(...args)),
			complete: async (...args) => check(await writer.complete(...args)),
			fail: async (...args) => check(await writer.fail(...args))
		};
	}

	/** After a refused write: the run ended (follow it) or was taken over (stop, writing nothing). */
	private async refused(slot: string, runId: string): Promise<void> {
		const standing = await this.writer.standing(runId);
		await this.locks.run(slot, async () => {
			const run = this.active.get(slot);
			if (run?.controller.runId !== runId) return;
			if (standing?.status === 'running' && standing.lease === run.writer.lease) return; // only that invocation was gone
			if (standing?.status === 'running') return this.lostHere(run);
			return this.endedElsewhere(run);
		});
	}

	/**
	 * A control message from any process (this one too): the holder follows the stored state.
	 * Runs not held here are none of this process's business.
	 */
	private async control(message: RunControl): Promise<void> {
		if (this.state === 'closed') return;
		const slot = slotKey(message.networkId, message.lane ?? 0);
		await this.locks.run(slot, async () => {
			const run = this.active.get(slot);
			if (run?.controller.runId !== message.runId) return;
			const row = await this.reader.get(message.runId);
			if (!row) return;
			if (row.status !== 'running') return this.wrapUp(run, row.stopCause ?? 'stopped', row.error ?? undefined);
			if (message.kind === 'paused') return this.followPause(run, row.pausedAt !== null);
			if (message.kind === 'settings') return this.followSettings(run, resolveRunSettings(row.settings));
		});
	}

	/** Tells the holder of a run (another process) of a change already stored. */
	private tell(message: RunControl) {
		if (!this.deps.cluster) return; // the single process holds every run itself
		void this.deps.cluster.bus.publish(CONTROL_TOPIC, message).catch((error) => this.log.error(`[engine] telling the holder of ${message.runId} failed`, error));
	}

	/** A paused or resumed run held here: the controller, the feed and the event follow. */
	private async followPause(run: ActiveRun, paused: boolean): Promise<void> {
		const { controller, feed, networkId, lane } = run;
		const { runId } = controller;
		if (!(paused ? controller.pause() : controller.resume())) return;
		const pausedAt = paused ? ((await this.reader.get(runId))?.pausedAt?.toISOString() ?? new Date(this.now()).toISOString()) : undefined;
		feed.write((doc) => updateRunState(doc, runId, paused ? { status: 'paused', pausedAt } : { status: 'running', pausedAt: undefined }));
		this.events.emit(paused ? 'paused' : 'resumed', { networkId, lane, runId });
	}

	/** New settings for a run held here: its controller takes them, the feed shows the lockout. */
	private followSettings(run: ActiveRun, settings: RunSettings): void {
		const { controller, feed, networkId, lane } = run;
		controller.updateSettings(settings);
		const { runId, plan } = controller;
		feed.write((doc) => updateRunState(doc, runId, { lockoutUntil: lockoutUntil(plan.startedAt, settings) }));
		this.events.emit('settingsChanged', { networkId, lane, runId, settings });
	}

	/** Pauses or resumes a run: in the database (the stored truth), then in its holder. */
	private async setPaused(runId: string, paused: boolean): Promise<RunRow> {
		const where = this.heldHere(runId) ?? (await this.reader.get(runId));
		if (!where) throw notFound('No such run.');
		const { networkId, lane } = where;
		const slot = slotKey(networkId, lane);
		return this.locks.run(slot, async () => {
			const found = this.active.get(slot);
			// Held elsewhere (or not at all): the row is all there is to change here.
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
			if (changed) this.events.emit(paused ? 'paused' : 'resumed', { networkId, lane, runId });
			if (!controller) this.tell({ kind: 'paused', networkId, lane, runId });
			return run;
		});
	}

	/** The controller ended its run by itself (budget, dead end, fixed point, error): the holder records it. */
	private async endByItself(slot: string, runId: string, cause: StopCause, reason?: string): Promise<void> {
		await this.locks.run(slot, async () => {
			const run = this.active.get(slot);
			if (run?.controller.runId !== runId) return;
			run.controller.close();
			let ended: boolean;
			try {
				ended = await run.writer.finish(runId, cause, new Date(), reason);
			} catch (error) {
				// Not recorded: its place under the run limits is free all the same; the row stays running.
				await this.wrapUp(run, cause, reason);
				throw error;
			}
			if (ended) return this.wrapUp(run, cause, reason);
			const standing = await this.writer.standing(runId);
			if (standing?.status === 'running') return this.lostHere(run);
			return this.endedElsewhere(run);
		});
	}

	/** A run held here that a control write ended (stopped or replaced, here or elsewhere): it follows, writing no row. */
	private async endedElsewhere(run: ActiveRun): Promise<void> {
		const row = await this.reader.get(run.controller.runId);
		await this.wrapUp(run, row?.stopCause ?? 'stopped', row?.error ?? undefined);
	}

	/** An ended run's holder lets go: controller closed, the end told (event and feed), the feed room released. */
	private async wrapUp(run: ActiveRun, cause: StopCause, reason?: string): Promise<void> {
		const { controller, feed, lease, networkId, lane, slot } = run;
		const { runId } = controller;
		controller.close();
		if (this.active.get(slot) === run) this.active.delete(slot);
		this.ownSettings.delete(runId);
		this.events.emit('ended', { networkId, lane, runId, cause, reason, completedSteps: controller.completedSteps });
		feed.write((doc) =>
			updateRunState(doc, runId, {
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
		run.letGo('ended');
	}

	/**
	 * Another process took the run over (this one froze past its lease, or lost Redis): stop at
	 * once, aborting the calls in flight, and write nothing more, not even the feed (the new
	 * holder writes it).
	 */
	private async lostHere(run: ActiveRun): Promise<void> {
		const { controller, slot } = run;
		this.log.error(`[engine] run ${controller.runId}: another process took it over; this one stops holding it`);
		controller.close();
		if (this.active.get(slot) === run) this.active.delete(slot);
		await run.lease.release();
		run.letGo('lost');
	}

	private heldHere(runId: string): ActiveRun | undefined {
		return [...this.active.values()].find((a) => a.controller.runId === runId);
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
/** A holding that is over at once: this engine is shutting down and takes nothing. */
const RELEASED: Holding = { done: Promise.resolve('released') };

/** Where a run on a lane other than 0 writes its feed: nowhere (the network's feed shows its own run). */
const NO_FEED: FeedRoom = { change: async () => {} };
const NO_LEASE: Pick<FeedLease, 'release'> = { release: async () => {} };

const lockoutUntil = (startedAt: Date, settings: RunSettings) => new Date(startedAt.getTime() + settings.lockoutSeconds * 1000).toISOString();
