import type { DiffCounts } from '$shared/graph/diff';
import type { Graph } from '$shared/graph/types';
import { call } from '$lib/feed/run-api';

/** A version as `GET /api/networks/:id/versions` lists it. */
export interface VersionSummary {
	id: string;
	kind: 'auto' | 'run' | 'named' | 'before_restore' | 'before_import';
	name: string | null;
	/** A person; for an automatic version who edited in its burst ("Ada, Bo and 2 others"), or "automatic". */
	who: string;
	/** Everyone who edited in an automatic version's burst (display names). */
	editors: string[];
	runId: string | null;
	createdAt: string;
	changes: DiffCounts;
	summary: string;
}

export interface VersionDetail extends VersionSummary {
	graph: Graph;
}

/** What each kind of version is called on its badge. */
export const KIND_BADGES: Record<VersionSummary['kind'], string | null> = {
	auto: null,
	run: 'Run',
	named: 'Named',
	before_restore: 'Before restore',
	before_import: 'Before replace'
};

const base = (networkId: string) => `/api/networks/${encodeURIComponent(networkId)}/versions`;

export const listVersions = (networkId: string) => call<VersionSummary[]>(fetch, 'GET', base(networkId));
export const readVersion = (networkId: string, id: string) => call<VersionDetail>(fetch, 'GET', `${base(networkId)}/${encodeURIComponent(id)}`);
export const saveVersion = (networkId: string, name: string) => call<VersionSummary>(fetch, 'POST', base(networkId), { name });

/**
 * The server checks the restore (rights, the lock), saves the graph it replaces as "before
 * restore", and hands the version back; the canvas then writes it into the live doc itself,
 * so the restorer's undo covers it.
 */
export const prepareRestore = (networkId: string, id: string) =>
	call<VersionDetail>(fetch, 'POST', `${base(networkId)}/${encodeURIComponent(id)}/restore`, { inBrowser: true });
