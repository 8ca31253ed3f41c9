import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { PgAssetStore } from './assets/pg-store';
import { FsAssetStore, type AssetStore } from './assets/store';
import { Accounts } from './auth/accounts';
import { KnownDevices } from './auth/known-device';
import { SessionStore, type PublicUser } from './auth/sessions';
import type { Config } from './config';
import { embeddedDatabasePath, openDatabase, type Db } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { BoardFeeder } from './displays/board-feeder';
import { Installations } from './displays/installations';
import { GraphWriteRule } from './graph/write-rule';
import { Engine } from './engine/engine';
import { ownRun } from './engine/events';
import { AnalysisService } from './analysis/analysis-service';
import { AtlasService } from './atlas/atlas-service';
import { RunStreams } from './engine/run-streams';
import { EXPERIMENT_STARTS, ExperimentService } from './experiments/service';
import { ExperimentStore } from './experiments/store';
import { ExperimentStreams } from './experiments/streams';
import { analyzeRun } from './analysis/run-analysis';
import { readGraph } from './shared/graph/doc';
import { RunsService } from './engine/runs-service';
import type { RunReader } from './engine/run-reader';
import type { RunSettingsInput } from './engine/settings';
import { Audience, FEED_CLOSED } from './audience/audience';
import { runViewerMatch } from './audience/broadcast';
import { machineAddresses, startupJoinLines } from './audience/join-address';
import type { AudienceSettingsInput } from './audience/settings';
import { notFound } from './errors';
import { describeConnectionLimits, resolveConnectionLimits, type ConnectionGate } from './http/connection-admission';
import { readOpenFilesLimit } from './http/descriptor-limit';
import { distrustForwarding } from './http/client-address';
import { KeyCipher } from './keys/cipher';
import { ProviderKeys } from './keys/provider-keys';
import { loadSecretKey } from './keys/secret';
import { NetworkGraphs, type NetworkFile } from './networks/graph-service';
import { Invites } from './networks/invites';
import { Networks, type NetworkSummary } from './networks/networks';
import { syncAuthorizer } from './networks/sync-access';
import { Catalogue } from './platforms/catalogue';
import { CustomModels } from './platforms/custom-models';
import { ReplicateModelAdder } from './platforms/replicate/custom';
import { checkProviderKey, type KeyCheckResult } from './platforms/key-check';
import { hostedPlatforms } from './platforms/hosted/index';
import { builtInPlatforms } from './platforms/platform';
import { AvailabilityService } from './platforms/availability/service';
import { KyselyAvailabilityStore } from './platforms/availability/store';
import { networkAvailability } from './platforms/availability/network';
import type { AvailabilityView } from './shared/platforms/availability-view';
import { dummyPlatformWithAvailability, parseDummyUnavailable } from './platforms/dummy/availability';
import type { HostedPlatformId, PlatformId } from './shared/platforms/types';
import { connectCluster, singleProcess, type Cluster } from './cluster/cluster';
import { processTag } from './cluster/process-tag';
import { watchEdits, watchReplication } from './history/edit-watch';
import { NetworkVersions } from './history/versions';
import { sharedLimits } from './cluster/limits';
import { PromptPlacement } from './cluster/prompt-placement';
import { CLOSE } from './sync/protocol';
import { SyncRooms } from './sync/rooms';
import { DEFAULT_HISTORY_COMPACTION } from './sync/history-compaction';
import { RoomStreams } from './cluster/room-streams';
import { KyselyUpdateStore } from './sync/store';
import { createUpgradeHandler } from './sync/upgrade';

/**
 * The domain: one instance per process, shared by HTTP routes and the WebSocket upgrade
 * handler. Everything here takes its dependencies from `createPanic`, never from module
 * globals, so tests can build as many as they like.
 */
export interface Panic {
	config: Config;
	db: Db;
	/** Single process, or one of N behind a load balancer on PostgreSQL and Redis (server/cluster). */
	cluster: Cluster;
	sessions: SessionStore;
	accounts: Accounts;
	keys: ProviderKeys;
	catalogue: Catalogue;
	/** Models people added by name (any Replicate model), saved per user. */
	customModels: CustomModels;
	/** Looks a Replicate model up by name and proposes how to call it. */
	modelAdder: ReplicateModelAdder;
	/** Saved multi-screen installations: kiosk displays and Vestaboards. */
	installations: Installations;
	/** Writes each network's newest text card to its Vestaboards. */
	boardFeeder: BoardFeeder;
	networks: Networks;
	invites: Invites;
	graphs: NetworkGraphs;
	/** Versions of each network's graph: list, read, save by name, restore (issue 17). */
	versions: NetworkVersions;
	rooms: SyncRooms;
	/** Content-addressed binaries (images, audio) served at /assets/<sha256>.<ext>. */
	assets: AssetStore;
	/** Runs networks: one active run per network and lane, resumed after a restart. */
	engine: Engine;
	/** Every read of runs and invocations (the engine writes them). */
	runReader: RunReader;
	runs: RunsService;
	/** Run analysis: fixed points, cycles, drift, clusters (issue 7). */
	analysis: AnalysisService;
	/** Attractor atlases over many runs of a network (issue 16). */
	atlas: AtlasService;
	/** Runs as they happen, for the run page (`GET /api/runs/:id/events`). */
	runStreams: RunStreams;
	/** Experiments from the browser: a prompt list × runs × steps on one network (issue 16). */
	experiments: ExperimentService;
	/** Experiments as they happen, for their page (`GET /api/experiments/:id/events`). */
	experimentStreams: ExperimentStreams;
	/** Join codes, audience sessions, the prompt queue and the SSE feed (issue 6). */
	audience: Audience;
	/** Which models each user's keys reach, as the providers last said (issue 12). */
	availability: AvailabilityService;
	/** A network's models as its owner's keys reach them, for its members. */
	networkAvailability(networkId: string, user: PublicUser): Promise<AvailabilityView>;
	/** Calls the provider's cheapest authenticated endpoint with the user's saved key. */
	checkKey(userId: string, platform: HostedPlatformId): Promise<KeyCheckResult>;
	createNetwork(owner: PublicUser, name: string): Promise<NetworkSummary>;
	updateNetwork(
		id: string,
		user: PublicUser,
		changes: { name?: string; visibility?: NetworkSummary['visibility']; settings?: RunSettingsInput; locked?: boolean; audience?: AudienceSettingsInput }
	): Promise<NetworkSummary>;
	deleteNetwork(id: string, user: PublicUser): Promise<void>;
	importNetwork(owner: PublicUser, file: NetworkFile): Promise<NetworkSummary>;
	acceptInvite(token: string, user: PublicUser): Promise<{ networkId: string; role: string }>;
	removeMember(networkId: string, user: PublicUser, memberId: string): Promise<void>;
	/** Ends a login session: its cookie stops working and its open streams and sync sockets close. */
	logout(sessionId: string): Promise<void>;
	/** Caps on long-lived connections (SSE streams and sync sockets together). */
	connections: ConnectionGate;
	/** What the HTTP server (scripts/serve.js) applies: header and request timeouts, a socket ceiling; and a line for its log. */
	httpServer: {
		headersTimeoutMs: number;
		requestTimeoutMs: number;
		maxSockets: number;
		listenBacklog: number;
		connectionLimits: string;
		joinLines(host: string, port: number): string[];
		/** Called on every request and upgrade first: an address header from a peer that is no trusted proxy is replaced. */
		distrustForwarding(req: IncomingMessage): void;
		/** `X-Panic-Process` on every response in cluster mode (server/cluster/process-tag.ts); null in single mode. */
		processTag: string | null;
	};
	/** Takes an HTTP upgrade for `/sync/<room>` (auth first, then the y-websocket protocol). */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
	close(): Promise<void>;
}

/** The sync rooms of one network: its graph and its feed. */
const roomsOf = (networkId: string) => [networkId, `${networkId}/feed`];
const isGraphRoom = (room: string) => !room.includes('/');

export interface PanicOptions {
	db?: Db;
	/**
	 * Pick up runs left running and audience queues left waiting (default true). A second
	 * process on the same database (the `experiment` CLI beside a server on Postgres) passes
	 * false, or it would run the server's runs a second time.
	 */
	resume?: boolean;
	/** The cluster this instance joins (tests build their own); default: from `config.redisUrl`. */
	cluster?: Cluster;
}

export async function createPanic(config: Config, opts: PanicOptions = {}): Promise<Panic> {
	const db = opts.db ?? (await openDatabase({ url: config.databaseUrl ?? embeddedDatabasePath(config.dataDir) }));
	await migrateToLatest(db);
	const cluster =
		opts.cluster ?? (config.redisUrl ? await connectCluster({ redisUrl: config.redisUrl, prefix: config.redisPrefix }) : singleProcess());
	// BullMQ only in cluster mode: a single process never loads it.
	const QueuedRunLeases = cluster.mode === 'cluster' ? (await import('./cluster/queued-run-leases')).QueuedRunLeases : null;
	const sessions = new SessionStore(db);
	await sessions.sweepExpired();
	const secret = loadSecretKey(config);
	const cipher = new KeyCipher(secret);
	let availability: AvailabilityService | null = null; // created below, once the catalogue and platforms exist
	const keys = new ProviderKeys(db, cipher, {
		saved: (userId, platform) => availability?.keySaved(userId, platform),
		removed: (userId, platform) =>
			void availability?.keyRemoved(userId, platform).catch((error) => console.error('[availability] forgetting answers failed', error))
	});
	// Deleted kiosk screens end their feeds (audience is created below; nothing is deleted before it is).
	const installations = new Installations(db, cipher, { onScreensRemoved: (networkId, ids) => audience.screensRemoved(networkId, ids) });
	const boardFeeder = new BoardFeeder({
		boards: (networkId) => installations.boards(networkId),
		baseUrl: config.vestaboardBaseUrl,
		log: console
	});
	const catalogue = Catalogue.builtIn({ dummyModels: config.dummyModels });
	const customModels = new CustomModels(db, catalogue);
	const networks = new Networks(db);
	let versions: NetworkVersions | undefined; // needs the rooms; the rooms tell it of edits
	// Cluster mode: rooms replicate through Redis Streams; disconnects and evictions reach every process.
	const roomStreams = cluster.mode === 'cluster' ? new RoomStreams(cluster) : null;
	const graphEdited = (room: string, authors: readonly string[]) => (isGraphRoom(room) ? versions?.edited(room, authors) : undefined);
	const rooms = new SyncRooms({
		// Every stored change to a graph room restarts the wait for that network's burst of editing to settle (and says who made it)…
		store: watchEdits(new KyselyUpdateStore(db), graphEdited),
		// …and so does every change another process stored, so each process holding the room sees the whole burst.
		replication: roomStreams ? watchReplication(roomStreams, graphEdited) : undefined,
		control: cluster.mode === 'cluster' ? { bus: cluster.bus, processId: cluster.processId } : undefined,
		// Editors write the graph room under the graph's rules; the feed room is read-only to clients.
		writeRule: (room) => (isGraphRoom(room) ? new GraphWriteRule() : undefined),
		gateLimits: { maxDocBytes: config.syncMaxDocBytes, maxPendingBytes: config.syncMaxPendingBytes },
		// A graph edited for days keeps a bounded history (issue 18); single process only, see SyncRooms.
		historyCompaction: (room) =>
			isGraphRoom(room) ? { ...DEFAULT_HISTORY_COMPACTION, minStructs: config.graphHistoryCompactStructs, quietMs: config.graphHistoryCompactQuietMs } : undefined,
		presence: { maxStateBytes: config.presenceMaxStateBytes, maxClientsPerSession: config.presenceMaxClientsPerSession }
	});
	versions = new NetworkVersions({ db, networks, docs: rooms, settleMs: config.historySettleMs, keepAutomatic: config.historyKeepAutomatic });
	const history = versions;
	const graphs = new NetworkGraphs(networks, rooms, customModels, { beforeReplace: (id, viewer) => history.beforeReplace(id, viewer) });
	// Any process may serve an asset another fetched: in cluster mode they live in PostgreSQL.
	const assets: AssetStore = cluster.mode === 'cluster' ? new PgAssetStore(db) : new FsAssetStore(path.join(config.dataDir, 'assets'));
	// Test-only: a dummy platform whose availability check refuses the models PANIC_DUMMY_UNAVAILABLE names.
	const dummyChecks = config.dummyUnavailable ? [dummyPlatformWithAvailability(parseDummyUnavailable(config.dummyUnavailable))] : [];
	const platforms = builtInPlatforms([...hostedPlatforms(config), ...dummyChecks]);
	const revealKey = (userId: string, platform: PlatformId) => keys.reveal(userId, platform as HostedPlatformId);
	const keyPlatforms = async (userId: string) => (await keys.list(userId)).map((k) => k.platform);
	availability = new AvailabilityService({
		store: new KyselyAvailabilityStore(db),
		platforms,
		entries: async (userId) => [...catalogue.list({ includeDeprecated: true }), ...catalogue.embedders, ...(await customModels.list(userId))],
		keyPlatforms,
		revealKey,
		maxAgeMs: config.availabilityMaxAgeMs,
		checkEveryMs: config.availabilityCheckEveryMs
	});
	const checks = availability;
	const engine = new Engine({
		db,
		rooms,
		networks,
		catalogue,
		platforms,
		assets,
		revealKey,
		keyPlatforms,
		models: customModels,
		availability: checks,
		limits: {
			runs: { perOwner: config.runsPerOwner, total: config.runsTotal },
			stepsAtOnce: config.stepsAtOnce,
			hostedStepFloorMs: config.hostedStepMinMs
		},
		// Cluster mode: runs held through BullMQ leases, control and events over the bus.
		cluster:
			cluster.mode === 'cluster'
				? {
						processId: cluster.processId,
						bus: cluster.bus,
						leases: (host) => new QueuedRunLeases!(cluster, host, { leaseMs: config.runLeaseMs, concurrency: config.runsTotal })
					}
				: undefined
	});
	// Vestaboards show each card the network's own run produces (not an experiment's extra lanes), after it went to the feed.
	engine.events.on('card', (event) => {
		if (ownRun(event)) void boardFeeder.card(event.networkId, event.card);
	});
	// Each run's graph becomes a version of its network, so the run page can open and restore it
	// (once per experiment, by its lane-0 runs: the other lanes run the same graph).
	engine.events.on('started', (event) => {
		const { runId, resumedAfterRestart } = event;
		if (resumedAfterRestart || !ownRun(event)) return;
		void engine.reader
			.get(runId)
			.then((run) => run && history.ofRun(run))
			.catch((error) => console.error(`[history] run ${runId}: could not keep its graph as a version`, error));
	});
	const resume = opts.resume ?? true;
	if (resume) await engine.resume();
	const resolved = resolveConnectionLimits(config.connections, readOpenFilesLimit());
	// In memory for the single process, in Redis for a cluster (server/cluster/limits.ts).
	const { rates, connections, feedWatchers } = sharedLimits(cluster, resolved.limits);
	// Cluster mode: a network's prompt queue is scheduled where its run is held (or, with none
	// running, by one process at a time); the single process schedules everything itself.
	const placement =
		cluster.mode === 'cluster'
			? new PromptPlacement(cluster, { activeRun: (id) => engine.activeRun(id), runningIds: (id) => engine.writer.runningIds(id, 0), events: engine.events })
			: null;
	const audience = new Audience({
		db,
		networks,
		engine,
		...(placement ? { scheduler: { decides: (id: string) => placement.decides(id) } } : {}),
		rooms,
		admission: connections,
		rates,
		cluster: cluster.mode === 'cluster' ? cluster : undefined,
		watchers: feedWatchers ?? undefined,
		joinsPerAddress: { burst: config.joinBurstPerAddress, perMinute: config.joinsPerAddressPerMinute },
		writes: { atOnce: config.audienceAtOnce, waiting: config.audienceWaiting },
		codeGuessesPerMinute: config.codeGuessesPerAddressPerMinute
	});
	placement?.attach(audience.scheduler);
	if (resume) await audience.resume();
	const invites = new Invites(db, networks);
	const runs = new RunsService(engine, networks, engine.reader);
	const analysis = new AnalysisService(runs, { db, runs: engine.reader, networks, assets, platforms, revealKey, catalogue });
	const atlas = new AtlasService({ db, runs: engine.reader, networks, assets, platforms, revealKey, catalogue, rates });
	const runStreams = new RunStreams({ events: engine.observed, networks, admission: connections, reader: engine.reader, analyse: (id) => analysis.live(id) });
	// Experiments: driven by the process that started them, with the runner the CLI uses.
	const experimentStore = new ExperimentStore(db);
	const experiments = new ExperimentService({
		store: experimentStore,
		engine,
		runReader: engine.reader,
		networks,
		graph: (networkId) => rooms.withRoom(networkId, (room) => room.read(readGraph)),
		models: customModels,
		analyze: (runId) => analyzeRun({ db, runs: engine.reader, networks, assets, platforms, revealKey, catalogue }, runId),
		bus: cluster.bus,
		processId: cluster.processId,
		starts: rates.rateLimit('experiment-starts', EXPERIMENT_STARTS.burst, EXPERIMENT_STARTS.windowMs)
	});
	// The single process restarted: whatever experiment it drove died with it (cluster: see the README).
	if (resume && cluster.mode === 'single') await experiments.interruptLeftovers(null);
	const experimentStreams = new ExperimentStreams({ service: experiments, store: experimentStore, networks, admission: connections });
	// Access taken away on another process ends this process's run pages too, as it ends its feeds.
	audience.onRemoteClose((close) => {
		const match = runViewerMatch(close);
		if (match) runStreams.disconnect(close.networkId, match, close.reason);
		if (match) experimentStreams.disconnect(close.networkId, match, close.reason);
	});

	// What a change to a network means for everything resting on it. The networks domain emits
	// after storing the change and awaits each listener in the order subscribed here, before the
	// change's HTTP answer.
	const on = networks.events.on.bind(networks.events);
	// Open sockets keep the access they were granted: reconnecting grants the new role (or none).
	on('membershipChanged', ({ networkId, userId }) => rooms.disconnect(roomsOf(networkId), { principal: userId }));
	// Feed streams a removed member opened as a member end, saying why.
	on('membershipChanged', ({ networkId, userId, change }) => {
		if (change === 'removed') audience.memberRemoved(networkId, userId);
		// So do the run pages they watched as a member.
		if (change === 'removed') runStreams.disconnect(networkId, (v) => v.basis === 'member' && v.userId === userId, FEED_CLOSED.memberRemoved);
		if (change === 'removed') experimentStreams.disconnect(networkId, (v) => v.basis === 'member' && v.userId === userId, FEED_CLOSED.memberRemoved);
	});
	// Open canvases show the new name.
	on('renamed', ({ networkId, name }) => graphs.rename(networkId, name));
	// Someone watching an unlisted or public network may have just lost access.
	on('visibilityChanged', ({ networkId, ownerId }) => rooms.disconnect(roomsOf(networkId), { exceptPrincipal: ownerId }));
	// Streams of those who saw it only because it was public or unlisted end, saying why.
	on('visibilityChanged', ({ networkId, after }) => {
		if (after === 'private') audience.madePrivate(networkId);
		if (after === 'private') runStreams.disconnect(networkId, (v) => v.basis === 'visibility', FEED_CLOSED.madePrivate);
		if (after === 'private') experimentStreams.disconnect(networkId, (v) => v.basis === 'visibility', FEED_CLOSED.madePrivate);
	});
	// Every open canvas learns of the lock through the doc, so its UI follows at once.
	on('lockChanged', ({ networkId, locked }) => graphs.setLocked(networkId, locked));
	// Editors' graph sockets were granted under the old lock: they reconnect, read-only while it is locked.
	on('lockChanged', ({ networkId, editorIds }) =>
		rooms.disconnect([networkId], { principals: editorIds }, 'The canvas was locked or unlocked.')
	);
	// The facilitator slowing the loop down mid-performance: the active run follows before the answer.
	on('settingsChanged', ({ networkId }) => engine.applySettings(networkId));
	// A switch to auto mode may start prompts that were waiting; the feed shows the new queue.
	on('audienceSettingsChanged', ({ networkId }) => audience.settingsChanged(networkId));
	// Deleting, in this order: the run stops (no more cards), streams end, rooms go; then the row.
	// First the network's experiment ends, so its runner starts no run after the engine stops this one.
	on('deleting', ({ networkId }) => experiments.networkDeleting(networkId));
	on('deleting', ({ networkId }) => engine.stopNetwork(networkId));
	on('deleting', ({ networkId }) => audience.forget(networkId));
	on('deleting', ({ networkId }) => runStreams.disconnect(networkId, () => true, 'This network was deleted.'));
	on('deleting', ({ networkId }) => experimentStreams.disconnect(networkId, () => true, 'This network was deleted.'));
	on('deleting', ({ networkId }) => rooms.evict(roomsOf(networkId)));
	// Its Vestaboards' cached list goes with it.
	on('deleting', ({ networkId }) => boardFeeder.invalidate(networkId));

	const handleUpgrade = createUpgradeHandler({
		rooms,
		authorize: syncAuthorizer({ sessions, audience, kiosks: installations, networks }),
		origin: config.origin,
		admission: connections,
		limits: { refusedCooldownMs: config.syncRefusedCooldownMs }
	});

	let closed = false;
	return {
		config,
		db,
		cluster,
		sessions,
		accounts: new Accounts(db, sessions, config, { devices: new KnownDevices(secret), rates }),
		keys,
		catalogue,
		customModels,
		modelAdder: new ReplicateModelAdder(customModels, (userId) => keys.reveal(userId, 'replicate'), config),
		installations,
		boardFeeder,
		networks,
		invites,
		graphs,
		versions: history,
		rooms,
		assets,
		engine,
		runReader: engine.reader,
		runs,
		analysis,
		atlas,
		runStreams,
		experiments,
		experimentStreams,
		audience,
		availability: checks,
		networkAvailability: (networkId, user) => networkAvailability({ networks, graphs, catalogue, availability: checks }, networkId, user),
		async checkKey(userId, platform) {
			const key = await keys.reveal(userId, platform);
			if (!key) throw notFound(`No ${platform} key is saved. Add one first.`);
			return checkProviderKey(platform, key, config);
		},
		async createNetwork(owner, name) {
			const network = await networks.create(owner, name);
			await graphs.init(network.id, name);
			return network;
		},
		// The networks domain announces each change; the subscriptions above follow it.
		updateNetwork: (id, user, changes) => networks.update(id, user, changes),
		acceptInvite: (token, user) => invites.accept(token, user),
		removeMember: (networkId, user, memberId) => networks.removeMember(networkId, user, memberId),
		deleteNetwork: (id, user) => networks.remove(id, user),
		async importNetwork(owner, file) {
			// Checked completely first; the network then appears with its graph, or not at all.
			await graphs.checkImport(file.graph, owner.id);
			const network = await networks.create(owner, file.name);
			try {
				await graphs.init(network.id, file.name, file.graph);
			} catch (error) {
				await networks.remove(network.id, owner);
				throw error;
			}
			return network;
		},
		async logout(sessionId) {
			await sessions.invalidate(sessionId);
			audience.loggedOut(sessionId);
			runStreams.disconnect(null, (v) => v.loginSession === sessionId, FEED_CLOSED.loggedOut);
			experimentStreams.disconnect(null, (v) => v.loginSession === sessionId, FEED_CLOSED.loggedOut);
			// Final (4401): the stock client stops reconnecting with a cookie that no longer works.
			await rooms.disconnectEverywhere({ sessionKey: sessionId }, FEED_CLOSED.loggedOut, CLOSE.loggedOut);
		},
		connections,
		httpServer: {
			headersTimeoutMs: config.headersTimeoutMs,
			requestTimeoutMs: config.requestTimeoutMs,
			maxSockets: resolved.maxSockets,
			listenBacklog: config.listenBacklog,
			connectionLimits: describeConnectionLimits(resolved),
			// Read when the server starts listening (interfaces as they are then).
			joinLines: (host, port) => startupJoinLines({ origin: config.origin, host, port, interfaces: machineAddresses(config.networkAddresses) }),
			distrustForwarding: (req) => distrustForwarding(req, config.trustedProxies),
			processTag: processTag(cluster)
		},
		handleUpgrade,
		async close() {
			if (closed) return;
			closed = true;
			boardFeeder.close();
			checks.close();
			// Before the engine: no prompt may start a run on the way down.
			placement?.close();
			await audience.close();
			await runStreams.close();
			await experimentStreams.close();
			// Before the engine: the experiments driven here stop their runs and say why.
			await experiments.close();
			await engine.close();
			// Bursts of editing still settling become versions while the rooms are still there.
			await history.close();
			await rooms.close();
			await roomStreams?.close();
			await connections.close?.();
			await feedWatchers?.close();
			if (!opts.cluster) await cluster.close();
			if (!opts.db) await db.destroy();
		}
	};
}
