import { error, redirect } from '@sveltejs/kit';
import { runUrl, toRunPage } from '$lib/feed/run-detail';
import type { PageServerLoad } from './$types';

// Thin: the JSON API is the one place that decides access and shapes a run; the page reads it.
export const load: PageServerLoad = async ({ fetch, params, locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const res = await fetch(runUrl(params.id));
	const body = await res.json().catch(() => null);
	if (!res.ok) error(res.status, body?.error ?? 'Could not load this run.');
	const page = toRunPage(body);
	// The network's name for the way back; the run is still worth showing without it.
	if (page.run.networkId && !page.run.networkName) {
		const net = await fetch(`/api/networks/${encodeURIComponent(page.run.networkId)}`).catch(() => null);
		const found = net?.ok ? await net.json().catch(() => null) : null;
		if (typeof found?.name === 'string') page.run.networkName = found.name;
	}
	return page;
};
