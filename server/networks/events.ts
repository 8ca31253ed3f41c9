import type { MemberRole, Visibility } from '../db/schema';

/**
 * What the networks domain announces after a change is stored (`networks.events`). Whoever
 * holds state resting on a network (sync rooms, the engine, the audience, displays, the graph
 * doc) subscribes in `createPanic`. `emit` awaits every listener, so the change's caller (an
 * HTTP route) answers only once they have followed.
 */
export interface NetworkEvents {
	/** Someone joined through an invite, got a stronger role through one, or was removed (or left). */
	membershipChanged: { networkId: string; userId: string; change: 'joined' | 'roleChanged' | 'removed'; role: MemberRole | null };
	renamed: { networkId: string; name: string };
	/** Who may see the network changed; the owner's own connections are never affected. */
	visibilityChanged: { networkId: string; ownerId: string; before: Visibility; after: Visibility };
	/** The canvas was locked or unlocked for a performance; `editorIds` are whose write access flips. */
	lockChanged: { networkId: string; locked: boolean; editorIds: string[] };
	/** Run settings (pacing, budgets...) changed; read them from the network. */
	settingsChanged: { networkId: string };
	/** Audience settings (queue mode, limits...) changed; read them from the network. */
	audienceSettingsChanged: { networkId: string };
	/**
	 * The network is about to be deleted: its run, streams and rooms end first, in the order
	 * subscribed. A listener that throws keeps the network (nothing is deleted).
	 */
	deleting: { networkId: string };
}
