import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
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
import { automaticToDrop } from './thinning';

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
	/**
	 * Who made it: a person's display name; for an automatic version the people who edited in
	 * its burst ("Ada, Bo and 2 others"), or "automatic" when only the server did.
	 */
	who: string;
	/** Display names of everyone who edited in an automatic version's burst; empty for the other kinds. */
	editors: string[];
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
	/**
	 * At most this many automatic versions per network, after spacing out old ones (see
	 * thinning.ts); named, run, before-restore and before-replace ones always stay.
	 */
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
	/**
	 * A burst this process saw was recorded already, by another process (cluster mode): the
	 * editors this process saw were added to that version.
	 */
	joined: [VersionSummary];
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
	/** Who edited in each network's burst still settling, as this process saw them. */
	private readonly burstEditors = new Map<string, Set<string>>();
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
		const names = await this.namesOf(rows.flatMap((r) => r.editors));
		return rows.map((row) => this.summary(row, names));
	}

	/** One version with its graph; anyone who may see the network. */
	async get(networkId: string, versionId: string, viewer: Viewer | null): Promise<VersionDetail> {
		await this.o.networks.access(networkId, viewer);
		return this.detail(networkId, versionId);
	}

	/** Saves the live graph under a name; owner and editors (a locked canvas does not stop a save). */
	async saveNamed(networkId: string, viewer: Viewer, name: string): Promise<VersionSummary> {
		await this.o.networks.requireEditor(networkId, viewer);
		const graph = await this.liveGraphEndingBurst(networkId);
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
			const before = room.read(liveGraphOf);
			this.endBurst(networkId);
			await this.record(networkId, 'before_restore', before, { by: viewer.id, name: `Before restoring ${label}`, force: true });
			if (!inBrowser) await room.change((doc) => writeGraph(doc, version.graph, 'server'), 'server', [viewer.id]);
		});
		return version;
	}

	/** Before the graph is replaced wholesale (PUT /graph, an import into a network): the graph as it was. */
	async beforeReplace(networkId: string, viewer: Viewer): Promise<void> {
		await this.record(networkId, 'before_import', await this.liveGraphEndingBurst(networkId), { by: viewer.id, force: true });
	}

	/** The version of the graph a run used: taken when it starts, or on first look; one per run. */
	async ofRun(run: RunGraph): Promise<string> {
		const existing = await this.o.db.selectFrom('network_versions').select('id').where('run_id', '=', run.id).executeTakeFirst();
		if (existing) return existing.id;
		const graph = graphOnly(run.graph as Graph);
		const recorded = await this.record(run.networkId, 'run', graph, { by: run.startedBy, runId: run.id, force: true });
		return recorded.id;
	}

	/**
	 * A change reached the network's graph room (stored here, or by another process): (re)start
	 * the wait for the burst to settle. `authors` are the user ids behind it, where known.
	 */
	edited(networkId: string, authors: readonly string[] = []): void {
		if (this.closed) return;
		for (const author of authors) this.noteEditor(networkId, author);
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

	private noteEditor(networkId: string, userId: string) {
		let editors = this.burstEditors.get(networkId);
		if (!editors) this.burstEditors.set(networkId, (editors = new Set()));
		editors.add(userId);
	}

	private async settle(networkId: string): Promise<void> {
		const burstStart = this.timers.get(networkId)?.burstStart ?? Date.now();
		this.timers.delete(networkId);
		const editors = [...(this.burstEditors.get(networkId) ?? [])];
		this.burstEditors.delete(networkId);
		try {
			await this.record(networkId, 'auto', await this.liveGraph(networkId), { by: null, editors, burstStart: new Date(burstStart) });
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
	 * The live graph, for a version that keeps it (saved by name, before a replace or a
	 * restore). That version holds the burst settling so far, so the burst ends in the same
	 * step as the read: the next automatic version names only who edits after it, and its diff
	 * is against this one. (Without this, an editor who replaced the graph was listed with
	 * whoever had edited just before, though the diff showed only the replacement.)
	 */
	private liveGraphEndingBurst(networkId: string): Promise<Graph> {
		return this.o.docs.withRoom(networkId, (room) => {
			const graph = room.read(liveGraphOf);
			this.endBurst(networkId);
			return graph;
		});
	}

	private endBurst(networkId: string): void {
		const pending = this.timers.get(networkId);
		if (pending) clearTimeout(pending.timer);
		this.timers.delete(networkId);
		this.burstEditors.delete(networkId);
	}

	/**
	 * Stores a version with the diff against the latest one. Without `force`, a graph equal to
	 * the latest version is not stored again (a rename or a lock touches the doc, not the graph).
	 *
	 * Cluster mode: every process holding a network's room sees each change (its own sessions'
	 * through the store, the others' through the replication), so all of them settle the same
	 * burst at about the same moment. A per-network advisory lock makes their recordings take
	 * turns in the database: the first stores the version, the others then find the latest
	 * version equal to their graph and only add the editors they saw to it, when it was taken
	 * after their burst began. One burst, one version, with everyone who edited in it.
	 */
	private record(
		networkId: string,
		kind: VersionKind,
		graph: Graph,
		opts: { by: string | null; name?: string; runId?: string; force?: boolean; editors?: string[]; burstStart?: Date }
	): Promise<VersionDetail> {
		return this.turns.run(networkId, async () => {
			const outcome = await this.o.db.transaction().execute(async (trx) => {
				await sql`select pg_advisory_xact_lock(hashtext(${`network_versions:${networkId}`}))`.execute(trx);
				const latest = await trx
					.selectFrom('network_versions')
					.select(['id', 'graph', 'kind', 'editors', 'created_at'])
					.where('network_id', '=', networkId)
					.orderBy('seq', 'desc')
					.limit(1)
					.executeTakeFirst();
				const previous = latest ? (latest.graph as unknown as Graph) : { nodes: [], edges: [] };
				const changes = countDiff(diffGraphs(previous, graph));
				if (!opts.force && latest && isEmptyDiff(changes) && sameNotesAndStart(previous, graph)) {
					const sameBurst = kind === 'auto' && latest.kind === 'auto' && !!opts.burstStart && new Date(latest.created_at) >= opts.burstStart;
					const joined = [...new Set([...latest.editors, ...(opts.editors ?? [])])];
					if (!sameBurst || joined.length === latest.editors.length) return { id: latest.id, event: null, stored: null };
					await trx.updateTable('network_versions').set({ editors: JSON.stringify(joined) }).where('id', '=', latest.id).execute();
					return { id: latest.id, event: 'joined' as const, stored: null };
				}
				const id = randomId();
				const inserted = await trx
					.insertInto('network_versions')
					.values({
						id,
						network_id: networkId,
						kind,
						name: opts.name ?? null,
						created_by: opts.by,
						run_id: opts.runId ?? null,
						graph: JSON.stringify(graph),
						changes: JSON.stringify(changes),
						editors: JSON.stringify(opts.editors ?? [])
					})
					.onConflict((oc) => oc.column('run_id').doNothing())
					.returning('id')
					.executeTakeFirst();
				// Two first looks at one run: the other one stored it.
				if (!inserted && opts.runId) {
					const other = await trx.selectFrom('network_versions').select('id').where('run_id', '=', opts.runId).executeTakeFirstOrThrow();
					return { id: other.id, event: null, stored: null };
				}
				if (kind === 'auto') await this.thin(trx, networkId);
				return { id, event: 'recorded' as const, stored: { changes, createdAt: new Date() } };
			});
			// A version just stored is described from what is at hand (a walk of thousands of edits
			// reads no row back); one found or joined is read.
			const detail = outcome.stored
				? await this.described(networkId, outcome.id, kind, graph, opts, outcome.stored)
				: await this.detail(networkId, outcome.id);
			if (outcome.event) this.events.emit(outcome.event, detail);
			return detail;
		});
	}

	private async described(
		networkId: string,
		id: string,
		kind: VersionKind,
		graph: Graph,
		opts: { by: string | null; name?: string; runId?: string; editors?: string[] },
		stored: { changes: DiffCounts; createdAt: Date }
	): Promise<VersionDetail> {
		const editors = opts.editors ?? [];
		const names = await this.namesOf(opts.by ? [opts.by, ...editors] : editors);
		const row = {
			id,
			network_id: networkId,
			kind,
			name: opts.name ?? null,
			created_by: opts.by && names.has(opts.by) ? opts.by : null,
			run_id: opts.runId ?? null,
			changes: stored.changes as unknown as Record<string, number>,
			editors,
			created_at: stored.createdAt,
			display_name: null
		};
		return { ...this.summary(row, names), graph };
	}

	/** Spaces out the network's old automatic versions and caps them (thinning.ts). */
	private async thin(trx: Db, networkId: string): Promise<void> {
		const auto = await trx
			.selectFrom('network_versions')
			.select(['id', 'created_at'])
			.where('network_id', '=', networkId)
			.where('kind', '=', 'auto')
			.orderBy('seq')
			.execute();
		const drop = automaticToDrop(
			auto.map((v) => ({ id: v.id, createdAt: new Date(v.created_at) })),
			new Date(),
			this.o.keepAutomatic
		);
		if (drop.length) await trx.deleteFrom('network_versions').where('id', 'in', drop).execute();
	}

	private query(networkId: string) {
		return this.o.db
			.selectFrom('network_versions as v')
			.leftJoin('users as u', 'u.id', 'v.created_by')
			.select(['v.id', 'v.network_id', 'v.kind', 'v.name', 'v.created_by', 'v.run_id', 'v.changes', 'v.editors', 'v.created_at', 'u.display_name'])
			.where('v.network_id', '=', networkId);
	}

	private async detail(networkId: string, versionId: string): Promise<VersionDetail> {
		const row = await this.query(networkId).select('v.graph').where('v.id', '=', versionId).executeTakeFirst();
		if (!row) throw notFound('No such version of this network.');
		return { ...this.summary(row, await this.namesOf(row.editors)), graph: row.graph as unknown as Graph };
	}

	/** Display names of the given users (ones since deleted are left out). */
	private async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
		const unique = [...new Set(ids)];
		if (!unique.length) return new Map();
		const users = await this.o.db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', unique).execute();
		return new Map(users.map((u) => [u.id, displayName(u)]));
	}

	private summary(row: {
		id: string;
		network_id: string;
		kind: VersionKind;
		name: string | null;
		created_by: string | null;
		run_id: string | null;
		changes: Record<string, number>;
		editors: string[];
		created_at: Date;
		display_name: string | null;
	}, names: ReadonlyMap<string, string>): VersionSummary {
		const changes = row.changes as unknown as DiffCounts;
		const editors = row.editors.flatMap((id) => names.get(id) ?? []).sort((a, b) => a.localeCompare(b));
		return {
			id: row.id,
			networkId: row.network_id,
			kind: row.kind,
			name: row.name,
			who: row.created_by
				? (names.get(row.created_by) ?? displayName({ id: row.created_by, display_name: row.display_name }))
				: editors.length
					? listNames(editors)
					: 'automatic',
			editors,
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

/** "Ada", "Ada and Bo", "Ada, Bo and Cy", "Ada, Bo and 2 others". */
export function listNames(names: readonly string[]): string {
	if (names.length <= 1) return names[0] ?? '';
	if (names.length === 2) return `${names[0]} and ${names[1]}`;
	if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]}`;
	return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
}

const liveGraphOf = (doc: Y.Doc) => graphOnly(readGraph(doc));

const sameNotesAndStart = (a: Graph, b: Graph) =>
	(a.startNodeId ?? null) === (b.startNodeId ?? null) && JSON.stringify(a.notes ?? []) === JSON.stringify(b.notes ?? []);
