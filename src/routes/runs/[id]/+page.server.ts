import { isOffered } from '$shared/platforms/availability-view';
import { AppError } from '$server/errors';
import { error, redirect } from '@sveltejs/kit';
import { loadAnalysis } from '$lib/analysis/load.server';
import { PAGE_SIZE, nodeNamesOf, promptTitle, toOutput, toRunPage } from '$lib/feed/run-detail';
import { canEditGraph } from '$server/networks/access';
import type { Graph } from '$shared/graph/types';
import type { Modality } from '$shared/platforms/types';
import type { PageServerLoad } from './$types';

/** The wiring part of a run's stored graph (nodes, edges, start), for the run page's picture. */
function wiringOf(graph: unknown): Graph {
	const g = (graph ?? {}) as Partial<Graph>;
	return { nodes: Array.isArray(g.nodes) ? g.nodes : [], edges: Array.isArray(g.edges) ? g.edges : [], startNodeId: g.startNodeId ?? null };
}

const failed = (e: unknown): never => {
	if (e instanceof AppError) error(e.status, e.message);
	throw e;
};

// Thin: the runs service decides access and shapes a run, as it does for the JSON API.
export const load: PageServerLoad = async ({ params, locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	const { panic, user } = locals;
	const embedder = url.searchParams.get('embedder') || null;
	// Streamed: the run shows at once, the analysis follows in the same response.
	const analysis = loadAnalysis(panic, user, params.id, embedder);
	// The newest page of invocations, however long the run: the page never ships them all.
	const row = await panic.runs.readable(params.id, user).catch(failed);
	const after = Math.max(0, row.nextSeq - 1 - PAGE_SIZE);
	const body = await panic.runs.get(params.id, user, { after, limit: PAGE_SIZE }).catch(failed);
	const page = toRunPage(body);
	// The service let this person read the run, so they may see its network: its name for the
	// way back, its other runs to compare with, and which hosted embedders its owner has keys for.
	const { network, role } = await panic.networks.access(body.networkId, user);
	page.run.networkName ??= network.name;
	const [keys, runs] = await Promise.all([panic.keys.list(network.ownerId), panic.runs.list(body.networkId, user, 50)]);
	// Hosted embedders spend the network owner's keys: offered only when the owner has one.
	const ownerPlatforms = new Set(keys.map((k) => k.platform as string));
	const embedders = panic.catalogue.embedders
		// Retired embedders are not offered, except the one this page was asked to show.
		.filter((e) => ownerPlatforms.has(e.platform) && (isOffered(e) || e.id === embedder))
		.map((e) => ({ id: e.id, name: e.name, input: e.input, platform: e.platform }));
	const otherRuns = runs
		.filter((r) => r.id !== params.id)
		.map((r) => ({
			id: r.id,
			prompt: promptTitle(toOutput(r.input)),
			startedAt: r.startedAt.toISOString(),
			status: r.status,
			invocationCount: r.invocationCount
		}));
	// Runs record node ids; people know nodes by their labels and models' names, as the run's wiring had them.
	const graph = body.graph as { models?: Record<string, { name?: string }> } | null;
	const modelName = (id: string) => panic.catalogue.get(id)?.name ?? graph?.models?.[id]?.name;
	const nodeNames = nodeNamesOf(body.graph, modelName);
	const modelNames: Record<string, string> = {};
	for (const inv of page.invocations) modelNames[inv.modelId] ??= modelName(inv.modelId) ?? inv.modelId;
	const nodes = Array.isArray((body.graph as { nodes?: unknown } | null)?.nodes) ? ((body.graph as { nodes: Array<{ modelId?: unknown }> }).nodes) : [];
	for (const n of nodes) if (typeof n.modelId === 'string') modelNames[n.modelId] ??= modelName(n.modelId) ?? n.modelId;
	// The graph the run used, kept as a version of its network (taken on first look if the start's was missed).
	const versionId = await panic.versions.ofRun(row).catch(() => null);
	const wiring = wiringOf(body.graph);
	// What the wiring's nodes show besides their names, as the live canvas's nodes do.
	const wiringModels: Record<string, { platform: string; input: Modality; output: Modality }> = {};
	for (const n of wiring.nodes) {
		const model = panic.catalogue.get(n.modelId);
		if (model) wiringModels[n.modelId] = { platform: model.platform, input: model.input, output: model.output };
	}
	const canRestore = canEditGraph(role, network.locked);
	return { ...page, wiring, wiringModels, versionId, canRestore, importedAt: body.importedAt?.toISOString() ?? null, embedder, embedders, otherRuns, analysis, nodeNames, modelNames };
};
