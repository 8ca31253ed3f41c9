import { error, redirect } from '@sveltejs/kit';
import { loadAnalysis } from '$lib/analysis/load.server';
import { toRunPage } from '$lib/feed/run-detail';
import type { PageServerLoad } from './$types';

const ID = /^[\w-]{1,64}$/;

/** Two runs side by side (`?a=<runId>&b=<runId>`): their findings, drift charts and recurrence plots. */
export const load: PageServerLoad = async ({ fetch, locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	const ids = [url.searchParams.get('a')?.trim() ?? '', url.searchParams.get('b')?.trim() ?? ''];
	if (!ids.every((id) => ID.test(id))) error(400, 'Give two run ids: /runs/compare?a=<run>&b=<run>.');
	const embedder = url.searchParams.get('embedder') || null;
	const sides = await Promise.all(
		ids.map(async (id) => {
			const analysis = loadAnalysis(locals.panic, locals.user, id, embedder);
			const res = await fetch(`/api/runs/${encodeURIComponent(id)}?limit=1`);
			const body = await res.json().catch(() => null);
			if (!res.ok) error(res.status === 404 ? 404 : res.status, `Run ${id}: ${body?.error ?? 'could not load it.'}`);
			const { run } = toRunPage(body);
			if (run.networkId) {
				const net = await fetch(`/api/networks/${encodeURIComponent(run.networkId)}`).catch(() => null);
				const found = net?.ok ? await net.json().catch(() => null) : null;
				if (typeof found?.name === 'string') run.networkName = found.name;
			}
			return { run, invocationCount: Number(body?.invocationCount ?? 0), analysis: await analysis };
		})
	);
	return { a: sides[0], b: sides[1], embedder };
};
