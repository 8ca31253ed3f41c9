import { isOffered } from '$shared/platforms/availability-view';
import { error, redirect } from '@sveltejs/kit';
import { loadAnalysis } from '$lib/analysis/load.server';
import { runUrl, toRunPage } from '$lib/feed/run-detail';
import type { PageServerLoad } from './$types';

// Thin: the JSON API is the one place that decides access and shapes a run; the page reads it.
export const load: PageServerLoad = async ({ fetch, params, locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	const { panic } = locals;
	const embedder = url.searchParams.get('embedder') || null;
	// Streamed: the run shows at once, the analysis follows in the same response.
	const analysis = loadAnalysis(fetch, panic, params.id, embedder);
	const res = await fetch(runUrl(params.id));
	const body = await res.json().catch(() => null);
	if (!res.ok) error(res.status, body?.error ?? 'Could not load this run.');
	const page = toRunPage(body);
	// The API let this person read the run, so they may see its network: its name for the way
	// back, its other runs to compare with, and which hosted embedders its owner has keys for.
	const networkId = page.run.networkId;
	const network = networkId ? await panic.networks.access(networkId, locals.user).catch(() => null) : null;
	if (network && !page.run.networkName) page.run.networkName = network.network.name;
	const [keys, runs, stored] = await Promise.all([
		network ? panic.keys.list(network.network.ownerId) : [],
		networkId ? panic.engine.records.list(networkId, 50) : [],
		panic.db.selectFrom('runs').select('imported_at').where('id', '=', params.id).executeTakeFirst()
	]);
	// Hosted embedders spend the network owner's keys: offered only when the owner has one.
	const ownerPlatforms = new Set(keys.map((k) => k.platform as string));
	const embedders = panic.catalogue.embedders
		// Retired embedders are not offered, except the one this page was asked to show.
		.filter((e) => ownerPlatforms.has(e.platform) && (isOffered(e) || e.id === embedder))
		.map((e) => ({ id: e.id, name: e.name, input: e.input, platform: e.platform }));
	const otherRuns = runs
		.filter((r) => r.id !== params.id)
		.map((r) => ({ id: r.id, startedAt: r.startedAt.toISOString(), status: r.status, invocationCount: r.nextSeq - 1 }));
	const importedAt = stored?.imported_at ? new Date(stored.imported_at).toISOString() : null;
	return { ...page, importedAt, embedder, embedders, otherRuns, analysis };
};
