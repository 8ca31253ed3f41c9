import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** A kiosk screen: the token from an installation is the credential, no login on the machine. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const screen = await locals.panic.installations.kiosk(params.token);
	if (!screen) error(404, 'This display link is no longer valid; ask for a new one.');
	const layout = screen.kind === 'grid' ? { kind: 'grid' as const, grid: screen.grid } : { kind: 'single' as const, single: screen.single };
	return {
		name: screen.name,
		feedUrl: `/api/networks/${encodeURIComponent(screen.networkId)}/feed?kiosk=${encodeURIComponent(params.token)}`,
		layout
	};
};
