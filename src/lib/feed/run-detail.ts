import type { Modality } from '$shared/platforms/types';

/**
 * The run page's view of `GET /api/runs/:id`. The server's JSON is normalised here, in one
 * place, so the page renders plain fields and tolerates small differences in naming
 * (camelCase or snake_case, an asset ref or a ready url).
 */
export interface Output {
	kind: Modality;
	text?: string;
	url?: string;
}

export interface InvocationView {
	seq: number;
	parentSeq: number | null;
	nodeId: string;
	modelId: string;
	state: string;
	input: Output | null;
	output: Output | null;
	error: string | null;
	attempts: number;
	queuedAt: string | null;
	startedAt: string | null;
	endedAt: string | null;
	/** Estimated US dollars, where the platform reports what it used. */
	costEstimate: number | null;
	/** What the provider reported (`predictTimeSeconds`, `totalTokens`, `imageCount`...). */
	metrics: Record<string, number> | null;
	providerRequestId: string | null;
}

export interface RunView {
	id: string;
	networkId: string | null;
	networkName: string | null;
	status: string;
	stopCause: string | null;
	input: Output | null;
	startedAt: string | null;
	endedAt: string | null;
	/** Why the run failed, for people. */
	error: string | null;
	/** The sum of its invocations' cost estimates. */
	spendUsd: number;
	/** Set while a running run is paused (its status stays 'running'). */
	pausedAt: string | null;
	/** Invocations so far (seqs run 1…this without gaps). */
	invocationCount: number;
}

export interface RunPage {
	run: RunView;
	invocations: InvocationView[];
	/** The seq to ask `?after=` for the next page, or null when this page was the last. */
	nextAfter: number | null;
}

type Raw = Record<string, unknown>;
const pick = (o: Raw, ...keys: string[]): unknown => keys.map((k) => o[k]).find((v) => v !== undefined);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : null);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** A stored payload (`{kind:'text',text}` or `{kind, asset:{sha256, ext}}`), or a plain string. */
export function toOutput(raw: unknown): Output | null {
	if (typeof raw === 'string') return { kind: 'text', text: raw };
	if (!raw || typeof raw !== 'object') return null;
	const p = raw as Raw;
	const kind = p.kind;
	if (kind !== 'text' && kind !== 'image' && kind !== 'audio') return null;
	if (kind === 'text') return { kind, text: typeof p.text === 'string' ? p.text : '' };
	if (typeof p.url === 'string' && p.url.startsWith('/')) return { kind, url: p.url };
	const asset = p.asset as Raw | undefined;
	if (asset && typeof asset.sha256 === 'string' && /^[0-9a-f]{64}$/.test(asset.sha256) && typeof asset.ext === 'string') {
		return { kind, url: `/assets/${asset.sha256}.${asset.ext}` };
	}
	return { kind };
}

export function toInvocation(raw: Raw): InvocationView {
	return {
		seq: num(raw.seq),
		parentSeq: typeof pick(raw, 'parentSeq', 'parent_seq') === 'number' ? (pick(raw, 'parentSeq', 'parent_seq') as number) : null,
		nodeId: String(pick(raw, 'nodeId', 'node_id') ?? ''),
		modelId: String(pick(raw, 'modelId', 'model_id') ?? ''),
		state: String(raw.state ?? 'unknown'),
		input: toOutput(raw.input),
		output: toOutput(raw.output),
		error: str(raw.error),
		attempts: num(raw.attempts),
		queuedAt: str(pick(raw, 'queuedAt', 'queued_at')),
		startedAt: str(pick(raw, 'startedAt', 'started_at')),
		endedAt: str(pick(raw, 'endedAt', 'ended_at')),
		costEstimate: typeof pick(raw, 'costEstimate', 'cost_estimate') === 'number' ? (pick(raw, 'costEstimate', 'cost_estimate') as number) : null,
		metrics: toMetrics(raw.metrics),
		providerRequestId: str(pick(raw, 'providerRequestId', 'provider_request_id'))
	};
}

/** Only finite numbers survive: metrics are shown, never trusted to be well-formed. */
function toMetrics(raw: unknown): Record<string, number> | null {
	if (!raw || typeof raw !== 'object') return null;
	const entries = Object.entries(raw as Raw).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
	return entries.length ? Object.fromEntries(entries) : null;
}

export function toRunPage(body: unknown): RunPage {
	const b = (body ?? {}) as Raw;
	const r = ((b.run as Raw | undefined) ?? b) as Raw;
	const network = r.network as Raw | undefined;
	return {
		run: {
			id: String(r.id ?? ''),
			networkId: str(pick(r, 'networkId', 'network_id')) ?? str(network?.id),
			networkName: str(pick(r, 'networkName')) ?? str(network?.name),
			status: String(r.status ?? 'unknown'),
			stopCause: str(pick(r, 'stopCause', 'stop_cause')),
			input: toOutput(r.input),
			startedAt: str(pick(r, 'startedAt', 'started_at')),
			endedAt: str(pick(r, 'endedAt', 'ended_at')),
			error: str(r.error),
			spendUsd: num(pick(r, 'spendUsd', 'spend_usd')),
			pausedAt: str(pick(r, 'pausedAt', 'paused_at')),
			invocationCount: num(pick(r, 'invocationCount', 'invocation_count'))
		},
		invocations: Array.isArray(b.invocations) ? (b.invocations as Raw[]).map(toInvocation).sort((x, y) => x.seq - y.seq) : [],
		nextAfter: typeof b.nextAfter === 'number' ? b.nextAfter : null
	};
}

/** What people call a run's state: a running run that is paused is "paused". */
export const shownStatus = (run: Pick<RunView, 'status' | 'pausedAt'>) => (run.status === 'running' && run.pausedAt ? 'paused' : run.status);

/**
 * Node id → the name people know the node by: its label on the canvas, else its model's name;
 * two unlabelled nodes of one model are told apart by a number ("Paint", "Paint 2").
 * `graph` is the wiring a run recorded (`{ nodes: [{ id, modelId, label? }] }`).
 */
export function nodeNamesOf(graph: unknown, modelName: (modelId: string) => string | undefined): Record<string, string> {
	const nodes = Array.isArray((graph as Raw | null)?.nodes) ? ((graph as Raw).nodes as Raw[]) : [];
	const names: Record<string, string> = {};
	const used = new Map<string, number>();
	for (const node of nodes) {
		if (!node || typeof node.id !== 'string') continue;
		const label = typeof node.label === 'string' ? node.label.trim() : '';
		const base = label || (typeof node.modelId === 'string' ? modelName(node.modelId) : undefined) || node.id;
		const n = (used.get(base) ?? 0) + 1;
		used.set(base, n);
		names[node.id] = n === 1 ? base : `${base} ${n}`;
	}
	return names;
}

/** A run's prompt as a title: its text, or what kind of input it was. */
export function promptTitle(input: Output | null): string {
	if (!input) return 'Run';
	if (input.kind === 'text') return input.text?.trim() || 'Run from an empty prompt';
	return input.kind === 'image' ? 'Run from an image' : 'Run from a sound';
}

/** Milliseconds between two timestamps as people read them ("1.2 s", "340 ms"), or ''. */
export function duration(from: string | null, to: string | null): string {
	if (!from || !to) return '';
	const ms = Date.parse(to) - Date.parse(from);
	if (!Number.isFinite(ms) || ms < 0) return '';
	return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Invocations per page: enough to scroll, small enough for a phone. */
export const PAGE_SIZE = 50;
export const runUrl = (runId: string, after = 0, limit = PAGE_SIZE) =>
	`/api/runs/${encodeURIComponent(runId)}?after=${after}&limit=${limit}`;
