import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError } from '$server/errors';
import { validate } from '$server/http/body';
import { createInviteSchema } from '$server/networks/invites';
import { updateNetworkSchema } from '$server/networks/networks';
import { attempt, field } from '$lib/server/form';
import { runSettingsFromForm, runSettingsFormValues } from '$lib/server/run-settings-form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = locals.user;
	if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const { panic } = locals;
	try {
		const { network, role } = await panic.networks.requireEditor(params.id, user);
		const isOwner = role === 'owner';
		// Editors may change run settings (the API lets them); invites and members are the owner's.
		const [invites, members, overview] = await Promise.all([
			isOwner ? panic.invites.list(params.id, user) : [],
			isOwner ? panic.networks.members(params.id, user) : [],
			panic.runs.overview(params.id, user)
		]);
		return { network, role, isOwner, invites, members, spendUsd: overview.spendUsd, runSettings: runSettingsFormValues(network.settings) };
	} catch (e) {
		if (e instanceof AppError) error(e.status, e.message);
		throw e;
	}
};

function signedIn(locals: App.Locals) {
	if (!locals.user) redirect(303, '/login');
	return locals.user;
}

export const actions: Actions = {
	update: async ({ request, locals, params }) => {
		const user = signedIn(locals);
		const data = await request.formData();
		return attempt({}, async () => {
			const changes = validate(updateNetworkSchema, { name: field(data, 'name'), visibility: field(data, 'visibility') });
			await locals.panic.updateNetwork(params.id, user, changes);
			return { saved: true };
		});
	},
	runSettings: async ({ request, locals, params }) => {
		const user = signedIn(locals);
		const data = await request.formData();
		return attempt({}, async () => {
			const changes = validate(updateNetworkSchema, { settings: runSettingsFromForm(data) });
			await locals.panic.updateNetwork(params.id, user, changes);
			return { runSettingsSaved: true };
		});
	},
	invite: async ({ request, locals, params, url }) => {
		const user = signedIn(locals);
		const data = await request.formData();
		return attempt({}, async () => {
			const input = validate(createInviteSchema, { role: field(data, 'role'), expiresInHours: Number(field(data, 'hours')) || undefined });
			const invite = await locals.panic.invites.create(params.id, user, input);
			return { inviteUrl: new URL(invite.path, url.origin).toString(), inviteRole: invite.role };
		});
	},
	revoke: async ({ request, locals, params }) => {
		const user = signedIn(locals);
		const id = field(await request.formData(), 'id');
		return attempt({}, async () => {
			await locals.panic.invites.revoke(params.id, user, id);
			return { revoked: true };
		});
	},
	removeMember: async ({ request, locals, params }) => {
		const user = signedIn(locals);
		const userId = validate(z.string().min(1), field(await request.formData(), 'userId'));
		return attempt({}, async () => {
			await locals.panic.removeMember(params.id, user, userId);
			return { removed: true };
		});
	},
	delete: async ({ locals, params }) => {
		const user = signedIn(locals);
		const result = await attempt({}, () => locals.panic.deleteNetwork(params.id, user));
		if (result) return result;
		redirect(303, '/networks');
	}
};
