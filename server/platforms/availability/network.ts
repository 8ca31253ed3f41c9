import type { PublicUser } from '../../auth/sessions';
import { notFound } from '../../errors';
import type { NetworkGraphs } from '../../networks/graph-service';
import type { Networks } from '../../networks/networks';
import type { Catalogue } from '../catalogue';
import type { AvailabilityService } from './service';
import type { AvailabilityView } from '../../shared/platforms/availability-view';

export interface NetworkAvailabilityDeps {
	networks: Networks;
	graphs: NetworkGraphs;
	catalogue: Catalogue;
	availability: AvailabilityService;
}

/**
 * A network's canvas as its owner's keys see it (runs spend the owner's keys), for its members:
 * the catalogue and the models on the canvas, nothing else of the owner's. Why the owner's
 * checks failed (a refused key, say) is the owner's business, so others see only that they did.
 */
export async function networkAvailability(deps: NetworkAvailabilityDeps, networkId: string, user: PublicUser): Promise<AvailabilityView> {
	const { network, role, throughVisibility } = await deps.networks.access(networkId, user);
	if (throughVisibility) throw notFound('Only members of this network see which of its models can run.');
	const graph = await deps.graphs.get(networkId, user);
	const onCanvas = new Set(graph.nodes.map((n) => n.modelId));
	const view = await deps.availability.view(network.ownerId, (id) => onCanvas.has(id) || !!deps.catalogue.get(id));
	if (role === 'owner') return view;
	return {
		models: Object.fromEntries(
			Object.entries(view.models).map(([id, m]) => [id, m.state === 'unchecked' ? { state: 'unchecked' as const } : m])
		),
		platforms: Object.fromEntries(
			Object.entries(view.platforms).map(([id, p]) => [
				id,
				{ canCheck: false, ...(p.cannotAsk ? { cannotAsk: true } : {}), ...(p.checkedAt ? { checkedAt: p.checkedAt } : {}), ...(p.error ? { error: 'could not check' } : {}) }
			])
		)
	};
}
