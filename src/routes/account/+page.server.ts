import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { displayName, displayNameSchema } from '$server/auth/display-name';
import { validate } from '$server/http/body';
import { keyBodySchema, platformSchema } from '$server/keys/provider-keys';
import { HOSTED_PLATFORMS } from '$shared/platforms/types';
import { attempt, field } from '$lib/server/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = locals.user;
	if (!user) redirect(303, '/login');
	const saved = await locals.panic.keys.list(user.id);
	return {
		account: { email: user.email, name: displayName(user), chosenName: user.display_name, isAdmin: user.is_admin, createdAt: user.created_at },
		keys: HOSTED_PLATFORMS.map((platform) => ({ platform, last4: saved.find((k) => k.platform === platform)?.last4 ?? null })),
		signupOpen: user.is_admin ? await locals.panic.accounts.isSignupOpen() : null
	};
};

function signedIn(locals: App.Locals) {
	if (!locals.user) redirect(303, '/login');
	return locals.user;
}

export const actions: Actions = {
	rename: async ({ request, locals }) => {
		const user = signedIn(locals);
		const name = field(await request.formData(), 'displayName').trim();
		return attempt({}, async () => {
			await locals.panic.accounts.setDisplayName(user, name ? validate(displayNameSchema, name) : null);
			return { renamed: true };
		});
	},
	saveKey: async ({ request, locals }) => {
		const user = signedIn(locals);
		const data = await request.formData();
		const platform = field(data, 'platform');
		return attempt({ platform }, async () => {
			const { key } = validate(keyBodySchema, { key: field(data, 'key') });
			await locals.panic.keys.save(user.id, validate(platformSchema, platform), key);
			return { platform, saved: true };
		});
	},
	deleteKey: async ({ request, locals }) => {
		const user = signedIn(locals);
		const platform = field(await request.formData(), 'platform');
		return attempt({ platform }, async () => {
			await locals.panic.keys.remove(user.id, validate(platformSchema, platform));
			return { platform, deleted: true };
		});
	},
	checkKey: async ({ request, locals }) => {
		const user = signedIn(locals);
		const platform = field(await request.formData(), 'platform');
		return attempt({ platform }, async () => {
			const check = await locals.panic.checkKey(user.id, validate(platformSchema, platform));
			return { platform, check };
		});
	},
	signup: async ({ request, locals }) => {
		const user = signedIn(locals);
		const open = validate(z.enum(['open', 'closed']), field(await request.formData(), 'signup'));
		return attempt({}, async () => {
			await locals.panic.accounts.setSignupOpen(user, open === 'open');
			return { signupSaved: true };
		});
	}
};
