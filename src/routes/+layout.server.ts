import { displayName } from '$server/auth/display-name';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
	// The display name, not the email: the header is on screens the whole room may see.
	user: locals.user ? { name: displayName(locals.user), isAdmin: locals.user.is_admin } : null
});
