import { EventEmitter } from 'node:events';
import type * as Y from 'yjs';
import { z } from 'zod';
import { displayName } from '../auth/display-name';
import type { Db } from '../db/connect';
import type { VersionKind } from '../db/schema';
import { locked, notFound } from '../errors';
import { randomId } from '../ids';
import { canEditGraph, type Viewer } from '../networks/access';
import { LOCKED_MESSAGE, type LiveDocs } from '../networks/graph-service';
import type { Networks } from '../networks/networks';
import { OneAtATime } from '../one-at-a-time';
import { countDiff, describeCounts, diffGraphs, isEmptyDiff, type DiffCounts } from '../shared/graph/diff';
import { readGraph, writeGraph } from '../shared/graph/doc';
import type { Graph } from '../shared/graph/types';

export const versionNameSchema = z.object({
	name: z.string().trim().min(1, { error: 'Give the version a name.' }).max(120, { error: 'Use a name of at most 120 characters.' })
});
export const restoreSchema = z.object({
	/**
	 * The browser applies the graph itself (one transaction its undo manager tracks, so the
	 * restorer can undo it); the server then only checks, saves "before restore" and answers
	 * with the graph. Scripts leave it out and the server applies the graph.
	 */
	inBrowser: z.boolean().optional()
});

/** A version as the History list shows it. */
export interface VersionSummary {
	id: string;
	networkId: string;
	kind: VersionKind;
	name: string | null;
	/** Who made it: a person's display name, or "automatic". */
	who: string;
	runId: string | null;
	createdAt: Date;
	changes: DiffCounts;
	/** The changes in words ("2 nodes removed, 1 edge added"). */
	summary: string;
}

export interface VersionDetail extends VersionSummary {
	graph: Graph;
}

export interface VersionsOptions {
	db: Db;
	networks: Pick<Networks, 'access' | 'requireEditor' | 'find'>;
	docs: LiveDocs;
	/** Quiet time after the last edit before an automatic version is taken. */
	settleMs: number;
	/** Automatic versions kept per network (older ones go; named, run and before-restore ones stay). */
	keepAutomatic: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

/** A run, as much of it as its version needs. */
export interface RunGraph {
	id: string;
	networkId: string;
	startedBy: string | null;
	graph: unknown;
}

/** What the history tells subscribers (tests wait on it instead of sleeping). */
export interface VersionEventMap {
	recorded: [VersionSummary];
}

const KIND_NAMES: Record<VersionKind, string> = {
	auto: 'Edits',
	run: 'Run',
	named: 'Saved',
	before_restore: 'Before restore',
	before_import: 'Before replace'
};

/**
 * A network's past (issue 17): versions of its graph, owned here with the `network_versions`
 * table. Versions come from four places: a run starting (the graph it used), a burst of
 * editing settling (`edited` is called on every stored change to a graph room; a version is
 * taken once the network has been quiet for `settleMs`, or after five times that of steady
 * editing), a restore or a wholesale replace (the graph just before), and people saving one
 * by name. Each stores the graph and the counts of its diff against the version before;
 * automatic versions equal to the latest are not stored, and past `keepAutomatic` the oldest
 * automatic ones go.
 */
export class NetworkVersions {
	readonly events = new EventEmitter<VersionEventMap>();
	private readonly timers = new Map<string, { timer: NodeJS.Timeout; burstStart: number }>();
	/** Recording is one at a time per network, so each diff is against the true previous version. */
	private readonly turns = new OneAtATime();
	private closed = false;
	private readonly log: NonNullable<VersionsOptions['log']>;

	constructor(private readonly o: VersionsOptions) {
		this.log = o.log ?? console;
		this.events.setMaxListeners(0);
	}

	/** Versions newest first; anyone who may see the network. */
	async list(networkId: string, viewer: Viewer | null, limit = 200): Promise<VersionSummary[]> {
		await this.o.networks.access(networkId, viewer);
		const rows = await this.query(networkId).orderBy('v.seq', 'desc').limit(limit).execute();
		return rows.map((row) => this.summary(row));
	}

	/** One version with its graph; anyone who may see the network. */
	async get(networkId: string, versionId: string, viewer: Viewer | null): Promise<VersionDetail> {
		await this.o.networks.access(networkId, viewer);
		return this.detail(networkId, versionId);
	}

	/** Saves the live graph under a name; owner and editors (a locked canvas does not stop a save). */
	async saveNamed(networkId: string, viewer: Viewer, name: string): Promise<VersionSummary> {
		await this.o.networks.requireEditor(networkId, viewer);
		const graph = await this.liveGraph(networkId);
		return this.record(networkId, 'named', graph, { by: viewer.id, name, force: true });
	}

	/**
	 * Restores a version: saves the live graph as "before restore", then writes the version into
	 * the live doc as one transaction (or, `inBrowser`, leaves that to the restorer's canvas).
	 * Owner and editors; the canvas lock blocks editors (423), as for any graph write.
	 */
	async restore(networkId: string, versionId: string, viewer: Viewer, { inBrowser = false } = {}): Promise<VersionDetail> {
		const { network, role } = await this.o.networks.requireEditor(networkId, viewer);
		if (!canEditGraph(role, network.locked)) throw locked(LOCKED_MESSAGE);
		const version = await this.detail(networkId, versionId);
		const label = version.name ?? `${KIND_NAMES[version.kind].toLowerCase()} of ${version.createdAt.toISOString().slice(0, 16).replace('T', ' ')}`;
		await this.o.docs.withRoom(networkId, async (room) => {
			await this.record(networkId, 'before_restore', room.read(liveGraphOf), { by: viewer.id, name: `Before restoring ${label}`, force: true });
			if (!inBrowser) await room.change((doc) => writeGraph(doc, version.graph, 'server'), 'server');
		});
		return version;
	}

	/** Before the graph is replaced wholesale (PUT /graph, an import into a network): the graph as it was. */
	async beforeReplace(networkId: string, viewer: Viewer): Promise<void> {
		await this.record(networkId, 'before_import', await this.liveGraph(networkId), { by: viewer.id, force: true });
	}

	/** The version of the graph a run used: taken when it starts, or on first look; one per run. */
	async ofRun(run: RunGraph): Promise<string> {
		const existing = await this.o.db.selectFrom('network_versions').select('id').where('run_id', '=', run.id).executeTakeFirst();
		if (existing) return existing.id;
		const graph = graphOnly(run.graph as Graph);
		const recorded = await this.record(run.networkId, 'run', graph, { by: run.startedBy, runId: run.id, force: true });
		return recorded.id;
	}

	/** A stored change to the network's graph room: (re)start the wait for the burst to settle. */
	edited(networkId: string): void {
		if (this.closed) return;
		const now = Date.now();
		const pending = this.timers.get(networkId);
		if (pending) clearTimeout(pending.timer);
		const burstStart = pending?.burstStart ?? now;
		// Steady editing still gets a version every few settle periods.
		const wait = Math.max(0, Math.min(this.o.settleMs, burstStart + 5 * this.o.settleMs - now));
		const timer = setTimeout(() => void this.settle(networkId), wait);
		timer.unref?.();
		this.timers.set(networkId, { timer, burstStart });
	}

	/** Takes the versions of bursts still waiting (shutdown), then stops. */
	async close(): Promise<void> {
		this.closed = true;
		const waiting = [...this.timers.keys()];
		for (const { timer } of this.timers.values()) clearTimeout(timer);
		await Promise.all(waiting.map((id) => this.settle(id)));
		await this.turns.idle();
	}

	private async settle(networkId: string): Promise<void> {
		this.timers.delete(networkId);
		try {
			await this.record(networkId, 'auto', await this.liveGraph(networkId), { by: null });
		} catch (error) {
			// A network deleted meanwhile has no room and no row: nothing to keep.
			if (!(await this.o.networks.find(networkId).catch(() => null))) return;
			this.log.error(`[history] ${networkId}: could not take a version`, error);
		}
	}

	private liveGraph(networkId: string): Promise<Graph> {
		return this.o.docs.withRoom(networkId, (room) => room.read(liveGraphOf));
	}

	/**
	 * Stores a version with the diff against the latest one. Without `force`, a graph equal to
	 * the latest version is not stored again (a rename or a lock touches the doc, not the graph).
	 */
	private record(
		networkId: string,
		kind: VersionKind,
		graph: Graph,
		opts: { by: string | null; name?: string; runId?: string; force?: boolean }
	): Promise<VersionDetail> {
		return this.turns.run(networkId, async () => {
			const latest = await this.o.db
				.selectFrom('network_versions')
				.select(['id', 'graph'])
				.where('network_id', '=', networkId)
				.orderBy('seq', 'desc')
				.limit(1)
				.executeTakeFirst();
			const previous = latest ? (latest.graph as unknown as Graph) : { nodes: [], edges: [] };
			const diff = diffGraphs(previous, graph);
			const changes = countDiff(diff);
			if (!opts.force && latest && isEmptyDiff(changes) && sameNotesAndStart(previous, graph)) return this.detail(networkId, latest.id);
			const id = randomId();
			const inserted = await this.o.db
				.insertInto('network_versions')
				.values({
					id,
					network_id: networkId,
					kind,
					name: opts.name ?? null,
					created_by: opts.by,
					run_id: opts.runId ?? null,
					graph: JSON.stringify(graph),
					changes: JSON.stringify(changes)
				})
				.onConflict((oc) => oc.column('run_id').doNothing())
				.returning('id')
				.executeTakeFirst();
			// Two first looks at one run: the other one stored it.
			if (!inserted && opts.runId) {
				const other = await this.o.db.selectFrom('network_versions').select('id').where('run_id', '=', opts.runId).executeTakeFirstOrThrow();
				return this.detail(networkId, other.id);
			}
			if (kind === 'auto') await this.thin(networkId);
			const who = opts.by
				? await this.o.db.selectFrom('users').select('display_name').where('id', '=', opts.by).executeTakeFirst()
				: undefined;
			const summary: VersionDetail = {
				...this.summary({
					id,
					network_id: networkId,
					kind,
					name: opts.name ?? null,
					created_by: who ? opts.by : null,
					run_id: opts.runId ?? null,
					changes: changes as unknown as Record<string, number>,
					created_at: new Date(),
					display_name: who?.display_name ?? null
				}),
				graph
			};
			this.events.emit('recorded', summary);
			return summary;
		});
	}

	/** Keeps the newest `keepAutomatic` automatic versions of the network. */
	private async thin(networkId: string): Promise<void> {
		const old = this.o.db
			.selectFrom('network_versions')
			.select('id')
			.where('network_id', '=', networkId)
			.where('kind', '=', 'auto')
			.orderBy('seq', 'desc')
			.offset(this.o.keepAutomatic);
		await this.o.db.deleteFrom('network_versions').where('id', 'in', old).execute();
	}

	private query(networkId: string) {
		return this.o.db
			.selectFrom('network_versions as v')
			.leftJoin('users as u', 'u.id', 'v.created_by')
			.select(['v.id', 'v.network_id', 'v.kind', 'v.name', 'v.created_by', 'v.run_id', 'v.changes', 'v.created_at', 'u.display_name'])
			.where('v.network_id', '=', networkId);
	}

	private async detail(networkId: string, versionId: string): Promise<VersionDetail> {
		const row = await this.query(networkId).select('v.graph').where('v.id', '=', versionId).executeTakeFirst();
		if (!row) throw notFound('No such version of this network.');
		return { ...this.summary(row), graph: row.graph as unknown as Graph };
	}

	private summary(row: {
		id: string;
		network_id: string;
		kind: VersionKind;
		name: string | null;
		created_by: string | null;
		run_id: string | null;
		changes: Record<string, number>;
		created_at: Date;
		display_name: string | null;
	}): VersionSummary {
		const changes = row.changes as unknown as DiffCounts;
		return {
			id: row.id,
			networkId: row.network_id,
			kind: row.kind,
			name: row.name,
			who: row.created_by ? displayName({ id: row.created_by, display_name: row.display_name }) : 'automatic',
			runId: row.run_id,
			createdAt: new Date(row.created_at),
			changes,
			summary: describeCounts(changes)
		};
	}
}

/** The graph without its name: a version restores the wiring, renaming goes through PATCH. */
function graphOnly(g: Graph): Graph {
	return { nodes: g.nodes, edges: g.edges, startNodeId: g.startNodeId ?? null, notes: g.notes ?? [] };
}

const liveGraphOf = (doc: Y.Doc) => graphOnly(readGraph(doc));

const sameNotesAndStart = (a: Graph, b: Graph) =>
	(a.startNodeId ?? null) === (b.startNodeId ?? null) && JSON.stringify(a.notes ?? []) === JSON.stringify(b.notes ?? []);
