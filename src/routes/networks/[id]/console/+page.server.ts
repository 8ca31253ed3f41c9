import { error, redirect } from '@sveltejs/kit';
import { resolveRunSettings, DEFAULT_PACING } from '$server/engine/settings';
import { AppError } from '$server/errors';
import { joinAddressFor } from '$lib/server/join-qr';
import type { PageServerLoad } from './$types';

/** The facilitator console (owner or editor): runs, pacing, the prompt queue, the audience, displays. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = locals.user;
	if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const { panic } = locals;
	try {
		const { network, role } = await panic.networks.requireEditor(params.id, user);
		const [audience, installations] = await Promise.all([panic.audience.settings(params.id), panic.installations.list(params.id)]);
		const pacing = resolveRunSettings(network.settings).pacing;
		return {
			network: { id: network.id, name: network.name, locked: network.locked },
			role,
			isOwner: role === 'owner',
			pacing: { fixedMs: 'fixedMs' in pacing ? pacing.fixedMs : null },
			defaultPacing: DEFAULT_PACING,
			audience: { queueMode: audience.queueMode, blocklist: audience.blocklist },
			installations,
			join: joinAddressFor(panic, url)
		};
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};
