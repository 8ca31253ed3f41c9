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

/**
 * Whether someone sees a network only because it is public or unlisted, so that making it
 * private takes it away (their open feeds are then ended); members, owner and admins keep it.
 */
export function seesThroughVisibility(
	network: { owner_id: string; visibility: Visibility },
	viewer: Viewer | null,
	memberRole: MemberRole | null
): boolean {
	return resolveRole(network, viewer, memberRole) !== null && resolveRole({ ...network, visibility: 'private' }, viewer, memberRole) === null;
}

export const canEdit = (role: NetworkRole | null) => role === 'owner' || role === 'editor';
export const canManage = (role: NetworkRole | null) => role === 'owner';

/**
 * Who writes the graph. A locked canvas (a performance is on) is the owner's alone: editors
 * watch it like viewers until it is unlocked, so nobody moves a node mid-show by accident.
 */
export const canEditGraph = (role: NetworkRole | null, locked: boolean) => role === 'owner' || (role === 'editor' && !locked);

/**
 * Who may set the canvas lock to `locked`. Owners and editors lock (a co-facilitator may
 * start a performance); only the owner unlocks, or any editor could undo the lock that is
 * there to keep editors' hands off. Setting it to what it already is is always allowed.
 */
export function canSetLock(role: NetworkRole | null, current: boolean, locked: boolean): boolean {
	if (!canEdit(role)) return false;
	return locked || !current || role === 'owner';
}

/** The stronger of two roles, so accepting a viewer invite never demotes an editor. */
export function strongerRole(a: MemberRole, b: MemberRole): MemberRole {
	return a === 'editor' || b === 'editor' ? 'editor' : 'viewer';
}
