import type { AvailabilityView } from '$shared/platforms/availability-view';
import type { HostedPlatformId, ModelInfo } from '$shared/platforms/types';
import type { FlowEdge, FlowNode } from './flow-mapping';

export type NetworkRole = 'owner' | 'editor' | 'viewer';

/**
 * The canvas as it was when the graph room closed its socket as too far behind its compacted
 * history (close code 4409): the page builds a fresh editor (doc, socket, undo history) that
 * carries on from this view and selection instead of framing the graph anew.
 */
export interface ResumedCanvas {
	networkId: string;
	viewport: { x: number; y: number; zoom: number };
	nodes: FlowNode[];
	edges: FlowEdge[];
}

/** What the network page's load returns: the contract between the route and the editor. */
export interface EditorPageData {
	network: { id: string; name: string; visibility: 'private' | 'unlisted' | 'public' };
	role: NetworkRole;
	/** Presence shows the display name to everyone on the canvas, never the email. */
	me: { id: string; name: string };
	/** Only the models the catalogue lists; deprecated ones are looked up but not offered. */
	models: ModelInfo[];
	/** Hosted platforms whose key the owner lacks for a run from the start node (owners and editors only). */
	missingKeys: HostedPlatformId[];
	/** Which models the owner's keys reach, as the providers last said (members only; empty otherwise). */
	availability: AvailabilityView;
}
