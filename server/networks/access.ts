import type { MemberRole, Visibility } from '../db/schema';

/** What a person is to one network, strongest first. `null`: they may not see it at all. */
export type NetworkRole = 'owner' | MemberRole;

export interface Viewer {
	id: string;
	is_admin: boolean;
}

/**
 * The role table of DESIGN.md as one pure function. Members keep their invited role;
 * anyone may view a public or unlisted network (unlisted is hidden from lists, not locked);
 * a site admin may view everything but edits only what they were invited to.
 */
export function resolveRole(
	network: { owner_id: string; visibility: Visibility },
	viewer: Viewer | null,
	memberRole: MemberRole | null
): NetworkRole | null {
	if (viewer && network.owner_id === viewer.id) return 'owner';
	if (memberRole) return memberRole;
	if (network.visibility !== 'private') return 'viewer';
	if (viewer?.is_admin) return 'viewer';
	return null;
}

export const canEdit = (role: NetworkRole | null) => role === 'owner' || role === 'editor';
export const canManage = (role: NetworkRole | null) => role === 'owner';

/** The stronger of two roles, so accepting a viewer invite never demotes an editor. */
export function strongerRole(a: MemberRole, b: MemberRole): MemberRole {
	return a === 'editor' || b === 'editor' ? 'editor' : 'viewer';
}
