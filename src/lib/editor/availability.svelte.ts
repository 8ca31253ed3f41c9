import { getContext, setContext } from 'svelte';
import { reachableNodeIds } from '$shared/graph/reach';
import { availabilityOf, EMPTY_AVAILABILITY, type AvailabilityView } from '$shared/platforms/availability-view';
import type { ModelAvailability, ModelInfo } from '$shared/platforms/types';

/**
 * Which models the network owner's keys reach (runs spend the owner's keys), for the palette,
 * the nodes and the run controls. Starts from the page load; while a check is under way at the
 * server (a key just saved, answers a day old) it looks again a few times.
 */
export class AvailabilityState {
	view = $state.raw<AvailabilityView>(EMPTY_AVAILABILITY);
	private stopped = false;

	constructor(
		initial: AvailabilityView,
		private networkId: string,
		private fetcher: typeof fetch = fetch
	) {
		this.view = initial;
	}

	of = (modelId: string): ModelAvailability => availabilityOf(this.view, modelId);

	/** Asks the server again every 2 s while one of its checks is under way (at most 15 times). */
	async follow(): Promise<void> {
		for (let i = 0; i < 15 && !this.stopped && Object.values(this.view.platforms).some((p) => p.checking); i++) {
			await new Promise((r) => setTimeout(r, 2000));
			await this.reload();
		}
	}

	/** Reloads now (a start was refused for a model gone, say). */
	async reload(): Promise<void> {
		if (this.stopped) return;
		try {
			const res = await this.fetcher(`/api/networks/${encodeURIComponent(this.networkId)}/availability`);
			if (res.ok) this.view = (await res.json()) as AvailabilityView;
		} catch {
			// Keep what we knew: the server checks again when a run starts.
		}
	}

	destroy() {
		this.stopped = true;
	}
}

/**
 * The models a run from the start node would reach that are known to be unavailable, as the
 * server's preflight refuses them (it checks again on start).
 */
export function unavailableOnPath(
	graph: { nodes: ReadonlyArray<{ id: string; modelId: string }>; edges: ReadonlyArray<{ source: string; target: string }>; startNodeId: string | null },
	modelOf: (id: string) => Pick<ModelInfo, 'name'> | undefined,
	of: (modelId: string) => ModelAvailability
): Array<{ id: string; name: string; reason: string }> {
	if (!graph.startNodeId) return [];
	const reachable = reachableNodeIds(graph.startNodeId, graph.edges);
	const ids = [...new Set(graph.nodes.filter((n) => reachable.has(n.id)).map((n) => n.modelId))];
	return ids.flatMap((id) => {
		const state = of(id);
		return state.state === 'unavailable' ? [{ id, name: modelOf(id)?.name ?? id, reason: state.reason ?? 'its provider no longer serves it' }] : [];
	});
}

const KEY = Symbol('panic-availability');
export const setAvailability = (state: AvailabilityState) => setContext(KEY, state);
/** Absent outside the network editor: everything then reads as unchecked. */
export const getAvailability = () => getContext<AvailabilityState | undefined>(KEY);
